/**
 * What the stage shows large, as Jitsi's layouts have it. Tile view (the
 * default) shows everyone the same size; a screen share is shown large over
 * a strip of tiles (the presenter layout). Pinning someone
 * (pinParticipant, setLargeVideoParticipant) shows their camera, or their
 * screen, large whatever else; stage view (tile view off) shows someone
 * large even without a share: the pinned participant, else the dominant
 * speaker, else the first other participant, else ourselves. The embed API drives this and hears
 * tileViewChanged and largeVideoChanged.
 */
import type { Emitter } from './events.js';
import type { ConferenceEvents } from './conference-types.js';
import type { ConferenceView } from './ui/conference-view.js';

export type LargeSource = 'camera' | 'screen';

export interface LayoutState {
  readonly tileView: boolean;
  readonly pinned: { readonly id: string; readonly source: LargeSource } | undefined;
}

export interface StageTrack {
  readonly info: { readonly source: string; readonly participantId: string };
  readonly track: MediaStreamTrack;
}

/** What is shown large: a participant's camera or screen (no track: their camera is off), with a label. */
export interface LargeVideo {
  readonly participantId: string;
  readonly source: LargeSource;
  readonly track: MediaStreamTrack | undefined;
  readonly label: string;
}

export interface StageInput {
  readonly remote: readonly StageTrack[];
  /** Our own camera and screen share. */
  readonly ownCamera: MediaStreamTrack | undefined;
  readonly ownShare: MediaStreamTrack | undefined;
  readonly selfId: string | undefined;
  /** Everyone, ourselves included, in join order. */
  readonly participants: ReadonlyMap<string, { readonly displayName: string; readonly joinedAt: number }>;
  /** Who has the floor (the server's dominant-speaker), if anyone. */
  readonly dominantSpeaker?: string | undefined;
}

function trackOf(input: StageInput, id: string, source: LargeSource): MediaStreamTrack | undefined {
  if (id === input.selfId) return source === 'screen' ? input.ownShare : input.ownCamera;
  return input.remote.find((t) => t.info.participantId === id && t.info.source === source)?.track;
}

function large(input: StageInput, id: string, source: LargeSource): LargeVideo {
  const name = id === input.selfId ? 'You' : input.participants.get(id)?.displayName || 'Someone';
  const track = trackOf(input, id, source);
  const label = source === 'screen' ? (id === input.selfId ? 'You are presenting' : `${name} is presenting`) : track ? name : `${name} (camera off)`;
  return { participantId: id, source, track, label };
}

/** The large video for a layout, or undefined: everyone in the grid. */
export function largeVideoFor(state: LayoutState, input: StageInput): LargeVideo | undefined {
  const pinned = state.pinned;
  if (pinned && input.participants.has(pinned.id)) {
    // A pinned screen that is not shared (any more) falls back to that person's camera.
    return large(input, pinned.id, pinned.source === 'screen' && trackOf(input, pinned.id, 'screen') ? 'screen' : 'camera');
  }
  // Our own share first while we share (we see what the class sees), then the newest remote one.
  if (input.ownShare && input.selfId) return large(input, input.selfId, 'screen');
  const share = input.remote.filter((t) => t.info.source === 'screen').at(-1);
  if (share) return large(input, share.info.participantId, 'screen');
  if (state.tileView) return undefined;
  // Stage view: whoever has the floor, as in Jitsi; before anyone spoke, the first other to join.
  const speaker = input.dominantSpeaker;
  if (speaker && speaker !== input.selfId && input.participants.has(speaker)) return large(input, speaker, 'camera');
  const others = [...input.participants.entries()].filter(([id]) => id !== input.selfId).sort((a, b) => a[1].joinedAt - b[1].joinedAt);
  const who = others[0]?.[0] ?? input.selfId;
  return who ? large(input, who, 'camera') : undefined;
}

/** The page's layout state, told to the view and the embedder. */
export class PageLayout {
  #tileView: boolean;
  #pinned: LayoutState['pinned'];
  #filmstrip = true;
  #largeId: string | undefined;

  constructor(
    private readonly view: ConferenceView,
    private readonly events: Emitter<ConferenceEvents>,
    private readonly options: { readonly disableTileView: boolean },
    /** Recomputes the stage (the conference knows the tracks). */
    private readonly refresh: () => void,
  ) {
    this.#tileView = !options.disableTileView;
  }

  get state(): LayoutState {
    return { tileView: this.#tileView, pinned: this.#pinned };
  }

  get tileView(): boolean {
    return this.#tileView;
  }

  /** Tile view on (unpins) or off (stage view). config.disableTileView keeps it off. */
  setTileView(on: boolean): void {
    const next = on && !this.options.disableTileView;
    if (next) this.#pinned = undefined;
    if (next !== this.#tileView) {
      this.#tileView = next;
      this.events.emit('tileViewChanged', { enabled: next });
    }
    this.refresh();
  }

  /** Shows one participant large (leaving tile view); undefined unpins. */
  pin(participantId: string | undefined, source: LargeSource = 'camera'): void {
    this.#pinned = participantId ? { id: participantId, source } : undefined;
    if (participantId) this.setTileView(false);
    else this.refresh();
  }

  /** A pinned participant who left is unpinned. */
  forget(participantId: string): void {
    if (this.#pinned?.id === participantId) this.pin(undefined);
  }

  toggleFilmStrip(visible = !this.#filmstrip): void {
    if (visible === this.#filmstrip) return;
    this.#filmstrip = visible;
    this.view.setFilmstripVisible(visible);
    this.events.emit('filmstripDisplayChanged', { visible });
  }

  get filmstripVisible(): boolean {
    return this.#filmstrip;
  }

  /** Picks the large video for what the conference has now, and tells the embedder when that changes. */
  apply(input: StageInput): void {
    const chosen = largeVideoFor(this.state, input);
    this.view.setPresentation(chosen);
    if (chosen?.participantId !== this.#largeId) {
      this.#largeId = chosen?.participantId;
      this.events.emit('largeVideoChanged', { id: chosen?.participantId ?? '' });
    }
  }
}
