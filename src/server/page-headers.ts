/**
 * The security headers of Confab's pages (the room page, the landing page,
 * the error page): a Content-Security-Policy that lets the page load only
 * its own scripts, styles and connections (so an injected name or chat
 * message could never run or fetch anything), `frame-ancestors` from
 * ALLOWED_EMBED_ORIGINS (which platforms may embed the meeting: Jitsi's
 * default, and ours, is any), and `Referrer-Policy: no-referrer`, so a
 * `?jwt=` link never leaks through a Referer (the page also takes the token
 * out of its address bar once read, web/src/main.ts).
 *
 * What the built page needs: its module script and stylesheet from
 * `assets/`, `data:` SVGs (favicon, CSS icons), avatar pictures from the
 * platform (any http(s) image), the WebSocket and long-poll
 * signaling on the same origin (`'self'` covers ws:/wss: to it, CSP level 3),
 * and camera streams (`srcObject`, which CSP does not restrict). Boot data is
 * a JSON `<script type="application/json">`, which is never executed.
 * test/e2e/web-hardening.test.ts loads the page in Chromium and fails on any
 * CSP violation.
 */

export function pageSecurityHeaders(frameAncestors: readonly string[]): Record<string, string> {
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // Avatars come from tokens (`context.user.avatar`, http or https, on the platform's servers): images run nothing.
    "img-src 'self' data: blob: https: http:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.join(' ')}`,
  ].join('; ');
  return {
    'content-security-policy': policy,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
}
