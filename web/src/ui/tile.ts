/**
 * One participant's tile: video (or initials when the camera is off), name,
 * muted microphone icon (with a lock when a moderator hard-muted it), a
 * raised hand, a ring while they speak, "Reconnecting…" while their
 * connection is interrupted and "Reconnecting media…" while their media
 * stopped reaching us.
 */
import { h, icon, initials } from './dom.js';

export interface TileState {
  displayName: string;
  audioMuted: boolean;
  videoMuted: boolean;
  isSelf: boolean;
  role: string;
  audioLocked?: boolean;
  handRaisedAt?: number | null;
  /** Its connection dropped and the server is holding it for a few seconds. */
  connectionInterrupted?: boolean;
  /** The picture from their token, shown instead of the initials while the camera is off. */
  avatarUrl?: string;
}

export class Tile {
  readonly el: HTMLElement;
  readonly #video: HTMLVideoElement;
  readonly #audio: HTMLAudioElement;
  readonly #name: HTMLElement;
  readonly #avatar: HTMLElement;
  readonly #micIcon: HTMLElement;
  readonly #unavailable = h('span', { class: 'tile-video-unavailable' });
  #videoTrack: MediaStreamTrack | undefined;
  #audioTrack: MediaStreamTrack | undefined;

  constructor(readonly participantId: string, state: TileState) {
    this.#video = h('video', { autoplay: true, playsinline: true, muted: true, class: 'tile-video' });
    this.#video.muted = true;
    this.#audio = h('audio', { autoplay: true });
    this.#avatar = h('div', { class: 'tile-avatar' });
    this.#name = h('span', { class: 'tile-name' });
    this.#micIcon = h('span', { class: 'tile-mic', title: 'Microphone muted' }, icon('micOff'), h('span', { class: 'tile-lock', title: 'Muted by a moderator' }, icon('lock')));
    this.el = h(
      'div',
      { class: 'tile', 'data-participant-id': participantId },
      this.#avatar,
      this.#video,
      this.#audio,
      h('div', { class: 'tile-label' }, this.#micIcon, this.#name),
      h('span', { class: 'tile-hand', title: 'Hand raised' }, icon('hand')),
      h('span', { class: 'tile-interrupted' }, 'Reconnecting…'),
      h('span', { class: 'tile-media-stalled' }, 'Reconnecting media…'),
      this.#unavailable,
    );
    if (state.isSelf) this.el.classList.add('self');
    this.update(state);
  }

  update(state: TileState): void {
    const label = state.isSelf ? `${state.displayName} (you)` : state.displayName;
    this.#name.textContent = label;
    if (state.avatarUrl) {
      if (this.#avatar.querySelector('img')?.getAttribute('src') !== state.avatarUrl) {
        this.#avatar.replaceChildren(h('img', { src: state.avatarUrl, alt: '', referrerpolicy: 'no-referrer' }));
      }
    } else this.#avatar.textContent = initials(state.displayName);
    this.el.dataset.name = state.displayName;
    this.el.classList.toggle('audio-muted', state.audioMuted);
    this.el.classList.toggle('video-muted', state.videoMuted);
    this.el.classList.toggle('moderator', state.role === 'moderator');
    this.el.classList.toggle('audio-locked', state.audioLocked === true);
    this.el.classList.toggle('hand-raised', state.handRaisedAt !== undefined && state.handRaisedAt !== null);
    this.el.classList.toggle('interrupted', state.connectionInterrupted === true);
    if (state.audioMuted) this.setSpeaking(false);
  }

  setVideo(track: MediaStreamTrack | undefined): void {
    if (track === this.#videoTrack) return;
    this.#videoTrack = track;
    this.#video.srcObject = track ? new MediaStream([track]) : null;
    this.el.classList.toggle('has-video', track !== undefined);
    if (track) void this.#video.play().catch(() => undefined);
  }

  /**
   * How tall the camera is drawn, in device pixels (receive-video.ts): the
   * video covers the tile (object-fit: cover), so a tile wider than the
   * picture draws it taller than the tile and crops it. 0 when hidden (another
   * grid page, a hidden filmstrip).
   */
  get drawnHeight(): number {
    const { clientWidth: w, clientHeight: h } = this.el;
    if (w === 0 || h === 0) return 0;
    return Math.max(h, w / pictureAspect(this.#video)) * (window.devicePixelRatio || 1);
  }

  /** Remote audio plays from the tile's own audio element; our own never does. */
  setAudio(track: MediaStreamTrack | undefined): Promise<void> {
    if (track === this.#audioTrack) return Promise.resolve();
    this.#audioTrack = track;
    this.#audio.srcObject = track ? new MediaStream([track]) : null;
    return track ? this.#audio.play() : Promise.resolve();
  }

  /** How loud this participant plays on this page, 0 to 1 (setParticipantVolume). */
  setVolume(volume: number): void {
    this.#audio.volume = Math.min(1, Math.max(0, volume));
  }

  /** Nothing is played at all (config.startSilent). */
  setSilenced(silenced: boolean): void {
    this.#audio.muted = silenced;
  }

  get volume(): number {
    return this.#audio.volume;
  }

  retryAudio(): void {
    if (this.#audioTrack) void this.#audio.play().catch(() => undefined);
  }

  /** Their camera is sent in a codec this browser cannot decode: say so instead of a blank tile. */
  setVideoUnavailable(text: string | undefined): void {
    this.#unavailable.textContent = text ?? '';
    this.el.classList.toggle('video-unavailable', text !== undefined);
  }

  /** Their media stopped reaching us though they are unmuted; a repair is under way. */
  setMediaStalled(stalled: boolean): void {
    this.el.classList.toggle('media-stalled', stalled);
  }

  setSpeaking(speaking: boolean): void {
    this.el.classList.toggle('speaking', speaking);
  }
}

/** The picture's width / height; 4:3 (the page's camera constraints) before the first frame. */
export function pictureAspect(video: HTMLVideoElement): number {
  return video.videoWidth > 0 && video.videoHeight > 0 ? video.videoWidth / video.videoHeight : 4 / 3;
}
