/** Full-page screens: prejoin, error, and "you left". */
import { ERRORS, isErrorCode } from '../../../src/protocol/errors.js';
import { roomAddress } from '../../../src/protocol/room-name.js';
import { h, icon } from './dom.js';

export interface PrejoinResult {
  displayName: string;
  audioMuted: boolean;
  videoMuted: boolean;
}

/** Camera preview, name, mic and camera toggles, Join. Resolves on Join. */
export function showPrejoin(
  root: HTMLElement,
  roomLabel: string,
  stream: MediaStream | undefined,
  initial: PrejoinResult,
  deviceError: string | undefined,
  /** config.requireDisplayName: no joining without a name; config.readOnlyName: the given name stays. */
  name: { required?: boolean; readOnly?: boolean } = {},
): Promise<PrejoinResult> {
  const nameRules = name;
  return new Promise((resolve) => {
    let { audioMuted, videoMuted } = initial;
    const video = h('video', { autoplay: true, playsinline: true, class: 'preview-video' });
    video.muted = true;
    video.srcObject = stream ?? null;
    const preview = h('div', { class: 'preview' }, video, h('div', { class: 'preview-off' }, 'Camera is off'));
    const name = h('input', {
      id: 'prejoin-name',
      type: 'text',
      maxlength: 80,
      placeholder: 'Your name',
      value: initial.displayName,
      autocomplete: 'name',
      required: nameRules.required === true,
      readonly: nameRules.readOnly === true && initial.displayName !== '',
    });
    const micBtn = h('button', { type: 'button', class: 'round', id: 'prejoin-mic' });
    const camBtn = h('button', { type: 'button', class: 'round', id: 'prejoin-cam' });
    const render = (): void => {
      micBtn.replaceChildren(icon(audioMuted ? 'micOff' : 'mic'));
      micBtn.classList.toggle('off', audioMuted);
      micBtn.title = audioMuted ? 'Unmute microphone' : 'Mute microphone';
      camBtn.replaceChildren(icon(videoMuted ? 'camOff' : 'cam'));
      camBtn.classList.toggle('off', videoMuted);
      camBtn.title = videoMuted ? 'Turn camera on' : 'Turn camera off';
      preview.classList.toggle('video-muted', videoMuted || !stream?.getVideoTracks().length);
    };
    micBtn.addEventListener('click', () => ((audioMuted = !audioMuted), render()));
    camBtn.addEventListener('click', () => ((videoMuted = !videoMuted), render()));
    const join = h('button', { type: 'submit', class: 'primary', id: 'prejoin-join' }, 'Join meeting');
    const form = h(
      'form',
      { class: 'prejoin card' },
      h('h1', {}, roomLabel),
      h('p', { class: 'muted' }, 'Check your camera and microphone, then join.'),
      preview,
      h('div', { class: 'prejoin-controls' }, micBtn, camBtn),
      deviceError ? h('p', { class: 'warning' }, deviceError) : null,
      h('label', { for: 'prejoin-name' }, 'Your name'),
      name,
      join,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      resolve({ displayName: name.value.trim(), audioMuted, videoMuted });
    });
    render();
    root.replaceChildren(h('div', { class: 'center-screen' }, form));
    name.focus();
  });
}

/** Codes that end a meeting one was in, rather than refuse a join. */
const TITLES: Partial<Record<string, string>> = {
  removed_by_moderator: 'You were removed from the meeting',
  blocked_by_moderator: 'You were removed from the meeting',
  conference_ended: 'The class has ended',
};

/**
 * The plain-words message for the code, then the server's specific detail
 * (which value, which check) in small print for whoever helps, then the code.
 */
export function showError(root: HTMLElement, code: string, message: string, action?: { label: string; run: () => void }): void {
  const plain = isErrorCode(code) ? ERRORS[code].message : undefined;
  const text = plain ?? (message || 'Something went wrong.');
  const detail = message && message !== text ? message : undefined;
  root.replaceChildren(
    h(
      'div',
      { class: 'center-screen' },
      h(
        'div',
        { class: 'card error-card', role: 'alert' },
        h('h1', {}, TITLES[code] ?? 'Cannot join this meeting'),
        h('p', { class: 'error-message' }, text),
        detail ? h('p', { class: 'error-detail' }, detail) : null,
        action ? h('button', { class: 'primary', onclick: action.run }, action.label) : null,
        h('p', { class: 'error-code' }, `Error code: ${code}`),
      ),
    ),
  );
}

export function showLeft(root: HTMLElement, title: string, rejoin: () => void): void {
  root.replaceChildren(
    h(
      'div',
      { class: 'center-screen' },
      h('div', { class: 'card left-card' }, h('h1', {}, title), h('button', { class: 'primary', id: 'rejoin', onclick: rejoin }, 'Rejoin')),
    ),
  );
}

export function showLanding(root: HTMLElement): void {
  const input = h('input', { type: 'text', id: 'landing-room', placeholder: 'e.g. maths-101', required: true });
  // The server's rule, checked here too so a bad name is explained before the page changes.
  input.addEventListener('input', () => input.setCustomValidity(''));
  const form = h(
    'form',
    { class: 'card' },
    h('h1', {}, 'Confab'),
    h('p', { class: 'muted' }, 'Start or join a class: pick a room name and share its link.'),
    h('label', { for: 'landing-room' }, 'Room name'),
    input,
    h('button', { type: 'submit', class: 'primary' }, 'Go to room'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let room: string;
    try {
      room = roomAddress(input.value.trim()).room;
    } catch (error) {
      input.setCustomValidity(error instanceof Error ? error.message : String(error));
      input.reportValidity();
      return;
    }
    location.href = new URL(encodeURIComponent(room), document.baseURI).toString();
  });
  root.replaceChildren(h('div', { class: 'center-screen' }, form));
}
