/**
 * The fixes the doctor suggests for routes that do not reach Confab. Every
 * Confab endpoint lives under one base path, so the fix is always one rule
 * for the whole prefix, never one rule per endpoint (the Jitsi deployment
 * this replaces broke exactly there: /http-bind and /xmpp-websocket each
 * needed a rule, and one was missing).
 */
import type { HttpAnswer } from './probe.js';
import { confabError } from './probe.js';

/** One nginx location and one Ingress path for the whole base path, with WebSocket upgrades. */
export function prefixRule(basePath: string): string {
  return (
    `route the whole prefix ${basePath} to Confab with one rule, not one per path: ` +
    `nginx \`location ${basePath} { proxy_pass http://<confab>:8000; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; proxy_read_timeout 60s; }\`; ` +
    `Kubernetes Ingress: path ${basePath} with pathType Prefix (not Exact)`
  );
}

export function upgradeFix(): string {
  return (
    'the proxy does not pass WebSocket upgrades (clients fall back to slower long-polling): ' +
    'nginx needs `proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";` in the location; ' +
    'other proxies: enable WebSocket support for the route'
  );
}

/** Who answered a path that should be Confab's, and what to do about it. */
export function missingRouteFix(answer: HttpAnswer, path: string, basePath: string, publicUrl: string): string {
  const ours = confabError(answer.body);
  if (answer.status === 404 && ours?.error === 'not_found') {
    // Confab answered, so the route exists, but the server thinks it lives under another base path.
    return `the request reached Confab, which does not serve ${path} (${ours.message}): set PUBLIC_URL=${publicUrl} on the server so its base path is ${basePath}`;
  }
  if (answer.status === 404) return `the proxy has no route for ${path}: ${prefixRule(basePath)}`;
  if (answer.status === 502 || answer.status === 503 || answer.status === 504) {
    return `the proxy has a route for ${path} but could not reach Confab (${answer.status}): check the backend address and port (the Service and its endpoints, Confab's HTTP_PORT) and that Confab runs`;
  }
  if (answer.status === 401 || answer.status === 403) {
    return `something in front of Confab refuses ${path} (${answer.status}): exempt ${basePath} from the proxy's authentication, Confab checks tokens itself`;
  }
  return `${path} did not answer as Confab does: ${prefixRule(basePath)}`;
}
