/**
 * Settings that keep a server's media on 127.0.0.1 with any free ports, for
 * tests and the benchmark: no traffic to other addresses, and servers
 * started side by side never collide on 10000/4443.
 */
export const LOOPBACK_SERVER_ENV = {
  HTTP_PORT: '0',
  HTTP_HOST: '127.0.0.1',
  MEDIA_ADVERTISE_IPS: '127.0.0.1',
  MEDIA_BIND_ADDRESS: '127.0.0.1',
  MEDIA_UDP_PORT: '0',
  MEDIA_TCP_PORT: '0',
} as const;
