/**
 * Everything Confab serves lives under one base path (PUBLIC_URL's path,
 * e.g. `/jitsi/`). A reverse proxy may pass that prefix through
 * (`proxy_pass http://confab:8000;`) or strip it
 * (`proxy_pass http://confab:8000/;`); both must work with one rule, so a
 * request path is read relative to the base either way.
 */
export function pathBelowBase(pathname: string, basePath: string): string | undefined {
  if (pathname.startsWith(basePath)) return pathname.slice(basePath.length);
  // The prefix without its trailing slash: the caller redirects.
  if (`${pathname}/` === basePath) return undefined;
  // Stripped by the proxy: the path is already relative to the base.
  if (basePath !== '/' && pathname.startsWith('/')) return pathname.slice(1);
  return undefined;
}
