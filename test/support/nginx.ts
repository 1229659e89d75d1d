/**
 * Debian's nginx as a reverse proxy in front of Confab, on loopback, for
 * tests of what our users' ingresses do: pass or strip a path prefix, pass
 * or drop WebSocket upgrades, or miss a route; optionally terminating TLS
 * with a given certificate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX_PATH = '/usr/sbin/nginx';

export interface NginxOptions {
  /** Port Confab listens on (127.0.0.1). */
  readonly upstreamPort: number;
  /** Several Confab replicas instead: an `upstream` of these ports, round-robin (nginx's default, no stickiness). */
  readonly upstreamPorts?: readonly number[];
  /** The `location` blocks, with UPSTREAM standing for http://127.0.0.1:<upstreamPort>. */
  readonly locations: string;
  /** Terminate TLS with this certificate (PEM, leaf first) and key: `listen ... ssl`, and `url` is https://. */
  readonly tls?: { readonly certificate: string; readonly key: string };
  /** Also listen on [::1] at the same port, for `localhost` URLs where localhost resolves to ::1 first. */
  readonly ipv6Loopback?: boolean;
}

export interface RunningNginx {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  errorLog(): string;
  accessLog(): string;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** `location` that passes WebSocket upgrades, as an ingress should. */
export function proxyLocation(path: string, target: string, upgrade: boolean): string {
  return `
    location ${path} {
      proxy_pass ${target};
      proxy_http_version 1.1;
      ${upgrade ? 'proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection "upgrade";' : '# no Upgrade headers: WebSockets cannot pass'}
      proxy_set_header Host $host;
      proxy_read_timeout 60s;
    }`;
}

export async function startNginx(options: NginxOptions, port?: number): Promise<RunningNginx> {
  if (!existsSync(NGINX_PATH)) throw new Error(`no nginx at ${NGINX_PATH}: apt-get install -y nginx-light`);
  const listen = port ?? (await freePort());
  const prefix = mkdtempSync(join(tmpdir(), 'confab-nginx-'));
  mkdirSync(join(prefix, 'logs'));
  const upstream = options.upstreamPorts ? 'http://confab_replicas' : `http://127.0.0.1:${options.upstreamPort}`;
  // A replica that refuses connections (killed) is skipped for 10 s and the request tried on the next one.
  const replicas = options.upstreamPorts
    ? `upstream confab_replicas {\n    ${options.upstreamPorts.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join('\n    ')}\n  }`
    : '';
  const ssl = options.tls ? ' ssl' : '';
  const listens = [`listen 127.0.0.1:${listen}${ssl};`, ...(options.ipv6Loopback ? [`listen [::1]:${listen}${ssl};`] : [])].join('\n    ');
  const tls = options.tls ? `ssl_certificate ${options.tls.certificate};\n    ssl_certificate_key ${options.tls.key};` : '';
  const conf = `
daemon off;
master_process off;
worker_processes 1;
error_log ${prefix}/logs/error.log info;
pid ${prefix}/nginx.pid;
events { worker_connections 256; }
http {
  access_log ${prefix}/logs/access.log;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  ${replicas}
  server {
    ${listens}
    ${tls}
    ${options.locations.replaceAll('UPSTREAM', upstream)}
  }
}`;
  writeFileSync(join(prefix, 'nginx.conf'), conf);
  const child: ChildProcess = spawn(NGINX_PATH, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // Ready when it accepts connections (a TLS port answers plain HTTP with a 400, which will do).
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    const ok = await fetch(`http://127.0.0.1:${listen}/`).then(() => true, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`nginx did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: listen,
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${listen}/`,
    errorLog: () => readFileSync(join(prefix, 'logs/error.log'), 'utf8'),
    accessLog: () => readFileSync(join(prefix, 'logs/access.log'), 'utf8'),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
