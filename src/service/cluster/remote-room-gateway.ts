/**
 * Rooms hosted by another node, reached over relay links (relay-link.ts):
 * the RoomGateway's calls, made at a given node. ClusterRoomGateway decides
 * which node; this keeps the links this edge has open, so that when this
 * node stops they are cut without a goodbye and their hosts hold the
 * participants for a resume through another replica.
 */
import type { JoinRequest, ParticipantLink, ResumeRequest } from '../room-gateway.js';
import type { SignalingChannel } from '../signaling-channel.js';
import { randomBytes } from 'node:crypto';
import { RelayLink, type LinkTarget, type RelayLinkOptions } from './relay-link.js';

export class RemoteRoomGateway {
  readonly #links = new Set<RelayLink>();

  constructor(private readonly options: RelayLinkOptions) {}

  /** Participants relayed from here (metrics, tests). */
  get size(): number {
    return this.#links.size;
  }

  /** Joins the room at `host`. Rejects with the host's ConfabError, RedirectError or HostUnreachableError. */
  async join(host: LinkTarget, request: JoinRequest, channel: SignalingChannel): Promise<ParticipantLink> {
    // With session resume off, the link still needs a secret of its own to survive a hiccup.
    const secret = request.resumeSecret ?? randomBytes(24).toString('base64url');
    return this.track(await RelayLink.join(host, request, channel, secret, this.options));
  }

  /** Continues a session `host` holds; undefined when it holds none. */
  async resume(host: LinkTarget, request: ResumeRequest, continueAs: (serverReceived: number) => SignalingChannel): Promise<ParticipantLink | undefined> {
    const link = await RelayLink.resume(host, request, continueAs, this.options);
    return link && this.track(link);
  }

  /** This node stops: every link is cut without a goodbye (their hosts hold the participants for a resume elsewhere). */
  dropAll(): void {
    for (const link of [...this.#links]) link.drop();
  }

  private track(link: RelayLink): RelayLink {
    this.#links.add(link);
    link.onEnded = () => this.#links.delete(link);
    return link;
  }
}
