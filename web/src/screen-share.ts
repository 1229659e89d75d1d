/**
 * Our screen share: getDisplayMedia, then one more publish m-line
 * (MediaSession.setScreen, source 'screen'). Stopping it (our button, the
 * browser's own "Stop sharing", or a moderator's video lock) sets that
 * m-line inactive and the server removes the share for everyone. A share
 * survives a reconnect: the new media session publishes it again.
 */
import type { MediaSession } from './media-session.js';

/** Slides and code, not motion: a low frame rate keeps detail sharp and CPU low. */
const DISPLAY_CONSTRAINTS: DisplayMediaStreamOptions = { video: { frameRate: { ideal: 15, max: 15 } }, audio: false };

export class ScreenShare {
  #track: MediaStreamTrack | undefined;
  #starting = false;

  constructor(
    private readonly media: () => MediaSession | undefined,
    private readonly onChange: (track: MediaStreamTrack | undefined) => void,
  ) {}

  get track(): MediaStreamTrack | undefined {
    return this.#track;
  }

  /** Asks the browser for a screen, window or tab and publishes it. Resolves false if the person cancelled. */
  async start(): Promise<boolean> {
    if (this.#track || this.#starting) return this.#track !== undefined;
    if (!navigator.mediaDevices?.getDisplayMedia) throw new Error('this browser cannot share a screen from this page');
    this.#starting = true;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia(DISPLAY_CONSTRAINTS).catch((error: unknown) => {
        if (error instanceof DOMException && error.name === 'NotAllowedError') return undefined; // cancelled
        throw error;
      });
      const track = stream?.getVideoTracks()[0];
      if (!track) return false;
      track.addEventListener('ended', () => void this.stop());
      this.#track = track;
      this.onChange(track);
      await this.media()?.setScreen(track);
      return true;
    } finally {
      this.#starting = false;
    }
  }

  async stop(): Promise<void> {
    const track = this.#track;
    if (!track) return;
    this.#track = undefined;
    track.stop();
    this.onChange(undefined);
    await this.media()?.setScreen(undefined);
  }

  /** A new media session after a reconnect: share again what we were sharing. */
  async republish(): Promise<void> {
    if (this.#track?.readyState === 'live') await this.media()?.setScreen(this.#track);
  }
}
