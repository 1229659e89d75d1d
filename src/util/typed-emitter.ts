/**
 * A typed event emitter: `TypedEmitter<{ joined: [Participant] }>` checks
 * event names and argument lists at compile time. Listener errors are not
 * caught here: a throwing listener is a bug and should surface in tests.
 */
import { EventEmitter } from 'node:events';

export type EventMap<E> = { [K in keyof E]: unknown[] };

export class TypedEmitter<E extends EventMap<E>> {
  readonly #emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    // Rooms can have many participants, each listening once.
    this.#emitter.setMaxListeners(0);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): () => void {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return () => this.off(event, listener);
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): void {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): void {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
  }

  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): void {
    this.#emitter.emit(event, ...args);
  }

  protected removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }
}
