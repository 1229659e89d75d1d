/**
 * Timed HTTP GETs and the evidence the doctor prints about them: status,
 * who answered (a proxy's `server` header or Confab's JSON), latency and a
 * short body excerpt.
 */

export interface HttpAnswer {
  readonly ok: true;
  readonly status: number;
  readonly contentType: string;
  /** The `server` header: a proxy names itself there, Confab sends none. */
  readonly server: string | undefined;
  readonly body: string;
  readonly bytes: number;
  readonly ms: number;
}

export interface HttpFailure {
  readonly ok: false;
  /** e.g. `ECONNREFUSED`, `timeout after 10000 ms`, `CERT_HAS_EXPIRED`. */
  readonly error: string;
  readonly ms: number;
}

export async function httpGet(url: URL | string, timeoutMs: number, accept = '*/*', headers: Record<string, string> = {}): Promise<HttpAnswer | HttpFailure> {
  const started = performance.now();
  try {
    const res = await fetch(url, { headers: { ...headers, accept, 'user-agent': 'confab-doctor' }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const buffer = Buffer.from(await res.arrayBuffer());
    return {
      ok: true,
      status: res.status,
      contentType: res.headers.get('content-type')?.split(';')[0] ?? '',
      server: res.headers.get('server') ?? undefined,
      body: buffer.toString('utf8'),
      bytes: buffer.length,
      ms: Math.round(performance.now() - started),
    };
  } catch (error) {
    return { ok: false, error: describeError(error, timeoutMs), ms: Math.round(performance.now() - started) };
  }
}

/** The most specific reason in a fetch/net error (fetch hides the socket's code in `cause`). */
export function describeError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = e.cause;
  if (cause?.code) return `${cause.code}${cause.message && !cause.message.includes(cause.code) ? ` (${cause.message})` : ''}`;
  if (e.code) return e.code;
  return cause?.message ?? e.message ?? String(error);
}

/** Confab's own error body: `{"error":"<code>","message":"..."}`. */
export function confabError(body: string): { error: string; message: string } | undefined {
  try {
    const json = JSON.parse(body) as unknown;
    if (typeof json === 'object' && json !== null && typeof (json as { error?: unknown }).error === 'string' && typeof (json as { message?: unknown }).message === 'string') {
      return json as { error: string; message: string };
    }
  } catch {
    // not JSON
  }
  return undefined;
}

/** A one-line excerpt: an HTML page's title, or the first characters of the body. */
export function excerpt(body: string, max = 90): string {
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1];
  const text = (title !== undefined ? `<title>${title.trim()}</title>` : body).replace(/\s+/g, ' ').trim();
  return `'${text.length > max ? `${text.slice(0, max)}...` : text}'`;
}

/** `404 text/html <title>404 Not Found</title> from nginx/1.22.1 in 3 ms` */
export function describeAnswer(answer: HttpAnswer | HttpFailure): string {
  if (!answer.ok) return answer.error.startsWith('no answer') ? answer.error : `${answer.error} after ${answer.ms} ms`;
  const by = answer.server ? ` from ${answer.server}` : '';
  return `${answer.status} ${answer.contentType || '(no type)'} ${excerpt(answer.body)}${by} in ${answer.ms} ms`;
}

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** `<base><rest>` of the public URL, as an absolute URL. */
export function below(base: URL, rest: string): URL {
  return new URL(rest, base);
}
