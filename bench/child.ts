/** A forked child spoken to by request/reply over Node IPC, each request bounded in time. */
import { fork, type ChildProcess } from 'node:child_process';

export class Child<Reply extends { type: string }> {
  readonly process: ChildProcess;
  #replies: Reply[] = [];
  #waiter: (() => void) | undefined;

  /** `execArgv`: node options for the child (e.g. --cpu-prof). */
  constructor(modulePath: string, env: NodeJS.ProcessEnv, execArgv: string[] = process.execArgv) {
    // stdout is reserved for the runner's JSON: whatever children print goes to stderr.
    this.process = fork(modulePath, [], { env, execArgv, stdio: ['ignore', 2, 'inherit', 'ipc'] });
    this.process.on('message', (message) => {
      this.#replies.push(message as Reply);
      this.#waiter?.();
    });
    this.process.on('exit', () => this.#waiter?.());
  }

  get pid(): number {
    if (this.process.pid === undefined) throw new Error('child has no pid');
    return this.process.pid;
  }

  send(message: unknown): void {
    this.process.send(message as object);
  }

  /** The next reply of `type` (earlier replies of other types are dropped). */
  async next<T extends Reply['type']>(type: T, timeoutMs: number): Promise<Extract<Reply, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.#replies.shift();
      if (reply?.type === type) return reply as Extract<Reply, { type: T }>;
      if (reply?.type === 'failed') throw new Error(`child failed: ${JSON.stringify(reply)}`);
      if (reply) continue;
      if (this.process.exitCode !== null || this.process.signalCode !== null) throw new Error(`child exited while waiting for '${type}'`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${type}' from child within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }

  async request<T extends Reply['type']>(message: unknown, type: T, timeoutMs: number): Promise<Extract<Reply, { type: T }>> {
    this.send(message);
    return this.next(type, timeoutMs);
  }

  /** Asks nicely (disconnect), then kills after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    if (this.process.connected) this.process.disconnect();
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
