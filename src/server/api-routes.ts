/**
 * The REST API's HTTP edge, below the base path:
 *   GET api/rooms[?tenant=t]                     rooms in progress
 *   GET api/rooms/<room>/participants            who is in a room
 *   GET api/rooms/<tenant>/<room>/participants
 * Authorised by ApiAccess (a Bearer token); errors are `{ error, message }`
 * with the catalogue's status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfabError, ERRORS } from '../protocol/errors.js';
import { parseRoomPath, roomAddress, type RoomAddress } from '../protocol/room-name.js';
import type { ApiAccess, ApiTarget } from '../service/auth/api-access.js';
import { listRooms, roomParticipants, visibleTo, type LiveSource } from '../service/live-view.js';
import type { Logger } from '../util/log.js';
import { sendError, sendJson } from './routes.js';

type ApiRoute = { readonly kind: 'rooms'; readonly tenant: string | undefined } | { readonly kind: 'participants'; readonly address: RoomAddress };

const USAGE = 'the API has GET api/rooms, api/rooms/<room>/participants and api/rooms/<tenant>/<room>/participants';

/** Which endpoint a path below the base path names; throws not_found or a name error. */
export function parseApiPath(rest: string, query: URLSearchParams): ApiRoute {
  const parts = rest.split('/').filter((p) => p !== '');
  if (parts[0] !== 'api' || parts[1] !== 'rooms') throw new ConfabError('not_found', `no API endpoint /${rest}: ${USAGE}`);
  if (parts.length === 2) {
    const tenant = query.get('tenant') ?? undefined;
    // Validates the tenant name the same way room addresses do.
    return { kind: 'rooms', tenant: tenant === undefined || tenant === '' ? undefined : roomAddress('r', tenant).tenant };
  }
  if ((parts.length === 4 || parts.length === 5) && parts[parts.length - 1] === 'participants') {
    return { kind: 'participants', address: parseRoomPath(parts.slice(2, -1).join('/')) };
  }
  throw new ConfabError('not_found', `no API endpoint /${rest}: ${USAGE}`);
}

export class ApiRoutes {
  constructor(
    private readonly access: ApiAccess,
    private readonly rooms: LiveSource,
    private readonly log: Logger,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, rest: string, url: URL): Promise<void> {
    try {
      const route = parseApiPath(rest, url.searchParams);
      const target: ApiTarget = route.kind === 'rooms' ? { tenant: route.tenant } : { room: route.address.room, tenant: route.address.tenant };
      const grant = await this.access.authorize(req.headers.authorization, target);
      this.log.debug({ path: url.pathname, by: grant.by }, 'api request');
      if (route.kind === 'rooms') return sendJson(res, 200, { rooms: await listRooms(this.rooms, grant) });
      const view = visibleTo(grant, route.address) ? await roomParticipants(this.rooms, route.address) : undefined;
      if (!view) throw new ConfabError('not_found', `nobody is in room '${route.address.key}' now (a room exists while someone is in it)`);
      return sendJson(res, 200, view);
    } catch (error) {
      if (!(error instanceof ConfabError)) throw error;
      if (ERRORS[error.code].status === 401) res.setHeader('www-authenticate', 'Bearer realm="confab"');
      if (ERRORS[error.code].status === 401 || ERRORS[error.code].status === 403) {
        this.log.info({ path: url.pathname, code: error.code, reason: error.message }, 'api request refused');
      }
      sendError(res, error);
    }
  }
}
