/**
 * Message dispatch the compiler checks. Each side of the protocol (the
 * server's participant link, the web page, the bot) handles messages through
 * a HandlerTable: one handler per `type` of the union, so adding a message to
 * messages.ts does not compile until every receiver says what it does with
 * it, even if that is nothing. dispatch.test.ts proves an incomplete table is
 * refused.
 */

/** Exactly one handler per message type, each given its own message shape. */
export type HandlerTable<M extends { readonly type: string }, R = void> = {
  readonly [T in M['type']]: (message: Extract<M, { readonly type: T }>) => R;
};

/** Calls the handler for `message.type`. */
export function dispatch<M extends { readonly type: string }, R>(table: HandlerTable<M, R>, message: M): R {
  const handler = table[message.type as M['type']] as (message: M) => R;
  return handler(message);
}

/** For the `default` of a switch that must cover a union: it compiles only when nothing is left. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
