/**
 * Entry point: works out the room from the address, reads Jitsi-style hash
 * options, opens camera and microphone, shows the prejoin screen (unless the
 * link skips it) and joins.
 */
// First: the schemas imported below are built under it.
import './zod-jitless.js';
import './styles.css';
import { ConfabError } from '../../src/protocol/errors.js';
import { parseRoomPath, type RoomAddress } from '../../src/protocol/room-name.js';
import { Conference } from './conference.js';
import { joinOptionsFromHash } from './hash-options.js';
import { EmbedBridge, embedIdFromHash } from './embed/bridge.js';
import { openDevices } from './devices.js';
import { showError, showLanding, showLeft, showPrejoin } from './ui/screens.js';

interface Boot {
  basePath: string;
  serverVersion: string;
  error?: { code: string; message: string };
}

declare global {
  interface Window {
    /** For tests and support: the live conference. */
    confab?: { conference: Conference | undefined; boot: Boot };
  }
}

const NAME_KEY = 'confab.displayName';

function readBoot(): Boot {
  const el = document.getElementById('confab-boot');
  try {
    if (el?.textContent) return JSON.parse(el.textContent) as Boot;
  } catch {
    // fall through to defaults: a page served without boot data (vite dev)
  }
  return { basePath: '/', serverVersion: 'dev' };
}

/**
 * The display name a Jitsi-style token carries (context.user.name), to fill
 * in the prejoin screen. Only read, never trusted: the server verifies the
 * token and uses the same name when the client sends none.
 */
function nameFromToken(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
    const name = (JSON.parse(json) as { context?: { user?: { name?: unknown } } }).context?.user?.name;
    return typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 80) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `?jwt=` of the link, taken out of the address bar (history.replaceState)
 * once read: it is a credential, and an address bar is copied into chats,
 * screenshots and bookmarks (the server also sends Referrer-Policy: no-referrer).
 * The hash (link options, the embed API's id) stays.
 */
function takeTokenFromAddress(): string | undefined {
  const url = new URL(location.href);
  const token = url.searchParams.get('jwt') ?? undefined;
  if (token === undefined) return undefined;
  url.searchParams.delete('jwt');
  history.replaceState(history.state, '', url.href);
  return token;
}

function withToken(href: string, token: string | undefined): string {
  if (token === undefined) return href;
  const url = new URL(href);
  url.searchParams.set('jwt', token);
  return url.href;
}

async function main(): Promise<void> {
  const root = document.getElementById('app')!;
  const boot = readBoot();
  window.confab = { conference: undefined, boot };
  if (boot.error) return showError(root, boot.error.code, boot.error.message);

  // Still URL-encoded: parseRoomPath decodes each segment once (a name like /тест arrives as %D1%82...).
  const below = location.pathname.slice(boot.basePath.length);
  if (below === '') return showLanding(root);
  let address: RoomAddress;
  try {
    address = parseRoomPath(below);
  } catch (error) {
    if (error instanceof ConfabError) return showError(root, error.code, error.message);
    throw error;
  }
  const label = address.tenant ? `${address.tenant} / ${address.room}` : address.room;
  const options = joinOptionsFromHash(location.hash);
  document.title = `${label} · ${options.appName}`;
  // Jitsi's link options and embed settings Confab does not support, each named.
  for (const warning of options.refused) console.warn(warning);
  // Embedded through external_api.js: talk to the parent page.
  const embedId = embedIdFromHash(location.hash);
  const bridge = embedId ? new EmbedBridge(embedId) : undefined;
  const token = takeTokenFromAddress();
  // "Try again" reloads with the token, which is no longer in the address bar.
  const reloadUrl = withToken(location.href, token);
  const devices = await openDevices(options.resolution);
  let choice = {
    displayName: options.displayName ?? nameFromToken(token) ?? localStorage.getItem(NAME_KEY) ?? '',
    audioMuted: options.startWithAudioMuted,
    videoMuted: options.startWithVideoMuted,
  };
  // A name is required and none came with the link: the prejoin screen asks, even if the link skips it.
  const mustAskName = options.requireDisplayName && choice.displayName === '';
  if (!options.skipPrejoin || mustAskName) {
    choice = await showPrejoin(root, label, devices.stream, choice, devices.error, { required: options.requireDisplayName, readOnly: options.readOnlyName });
    if (choice.displayName) localStorage.setItem(NAME_KEY, choice.displayName);
  }

  // Carried from one conference to the next on this page, so Rejoin works after the token expired.
  let rejoinTicket: string | undefined;
  const join = (): void => {
    const conference = new Conference({
      room: address.room,
      tenant: address.tenant,
      displayName: choice.displayName,
      token,
      rejoinTicket,
      audioMuted: choice.audioMuted,
      videoMuted: choice.videoMuted,
      preferredCodec: options.preferredCodec,
      stream: devices.stream,
      deviceError: devices.error,
      deviceFailures: devices.failed.map((f) => ({ ...f, message: devices.error ?? '' })),
      page: options,
      readOnlyName: options.readOnlyName,
      onFatal: (code, message) => showError(root, code, message, { label: 'Try again', run: () => location.replace(reloadUrl) }),
      onLeft: () => {
        rejoinTicket = conference.rejoinTicket;
        showLeft(root, 'You left the meeting', join);
      },
    });
    window.confab!.conference = conference;
    bridge?.attach(conference);
    if (options.toolbarButtons) conference.view.setToolbarButtons(options.toolbarButtons);
    root.replaceChildren(conference.view.el);
    conference.start();
    if (devices.error) conference.view.setNotice(devices.error, 'devices_unavailable');
  };
  join();
}

void main();
