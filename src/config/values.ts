/**
 * The kinds of value settings take, as zod schemas over the raw strings of
 * the environment (or the values of the JSON config file).
 */
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** 1/0, true/false, yes/no, on/off; empty is off. */
export const bool = z
  .union([z.boolean(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    const s = v.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: `expected 1/0/true/false, got '${v}'` });
    return z.NEVER;
  });

// Digits only: z.coerce would read a blank value as port 0 (any free port) and accept '1e3' or '0x1f'.
export const port = z
  .union([z.number(), z.string().trim().regex(/^\d+$/, 'expected a port number 0-65535')])
  .transform(Number)
  .pipe(z.number().int().min(0).max(65535));

/** A comma-separated list (or a JSON array in the file); blanks dropped. */
export const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''));

export const ipList = list.refine((ips) => ips.every((ip) => z.ipv4().safeParse(ip).success || z.ipv6().safeParse(ip).success), {
  message: 'expected a comma-separated list of IP addresses',
});

export const urlList = list.refine((urls) => urls.every((u) => z.url({ protocol: /^https?$/ }).safeParse(u).success), {
  message: 'expected a comma-separated list of http(s) URLs',
});

/** A text setting where an empty value means "not set" (docker-jitsi-meet's .env leaves many keys empty). */
export const optionalText = z.string().transform((v) => (v.trim() === '' ? undefined : v));

/**
 * Origins allowed to embed the pages (CSP `frame-ancestors`), as source
 * expressions: `*`, `self`/`'self'`, `none`/`'none'` (alone), or origins
 * `https://lms.example.com[:port]`, with `*.` allowed for subdomains.
 */
export const embedOrigins = list.transform((values, ctx) => {
  const sources: string[] = [];
  for (const value of values) {
    const keyword = value.replace(/^'|'$/g, '').toLowerCase();
    if (keyword === 'self' || keyword === 'none') sources.push(`'${keyword}'`);
    else if (value === '*') sources.push('*');
    else if (/^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i.test(value)) sources.push(value.toLowerCase());
    else {
      ctx.addIssue({ code: 'custom', message: `'${value}' is not an origin (https://lms.example.com, https://*.example.com), '*', 'self' or 'none'` });
      return z.NEVER;
    }
  }
  if (sources.includes("'none'") && sources.length > 1) {
    ctx.addIssue({ code: 'custom', message: "'none' cannot be combined with other origins" });
    return z.NEVER;
  }
  return sources.length > 0 ? sources : ["'none'"];
});
