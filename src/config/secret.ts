/**
 * A secret value (the JWT app secret) that cannot leak by accident: JSON,
 * string conversion and util.inspect (console.log, pino) all print
 * `[redacted]`. Only `reveal()` gives the value, at the one place that signs
 * or verifies.
 */
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** Length in UTF-8 bytes, for the "shorter than 32 bytes" warning. */
  get byteLength(): number {
    return Buffer.byteLength(this.#value, 'utf8');
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
