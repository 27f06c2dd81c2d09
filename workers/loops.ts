import { startRelay } from '../src/bus/relay.ts';
import { createWaker } from '../src/bus/waker.ts';
import type { Deps } from '../src/deps.ts';
import { describeError } from '../src/kernel/errors.ts';

/** Something running that can be asked to finish. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** The relay as a loop: publishes the outbox, woken by commits in this process or every POLL_INTERVAL_MS. */
export function startRelayLoop(deps: Deps): Stoppable {
  const relay = startRelay({ db: deps.db, transactor: deps.transactor, bus: deps.bus, clock: deps.clock, logger: deps.logger, metrics: deps.metrics, pollMs: deps.config.pollMs, leaseMs: deps.config.relay.leaseMs, maxParameters: deps.database.maxParameters });
  deps.onCommit.add(relay.wake);
  return {
    async stop() {
      deps.onCommit.delete(relay.wake);
      await relay.stop();
    },
  };
}

/**
 * A sender loop woken by commits in this process: runs `send` until it finds nothing due,
 * then waits for a commit or POLL_INTERVAL_MS. Notification dispatch and webhook delivery.
 */
export function startSenderLoop(deps: Deps, what: string, send: () => Promise<number>): Stoppable {
  const waker = createWaker();
  const wake = () => waker.wake();
  deps.onCommit.add(wake);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      let sent = 0;
      try {
        sent = await send();
      } catch (error) {
        deps.logger.error(`${what} failed`, { error: describeError(error) });
      }
      await waker.wait(sent === 0 ? deps.config.pollMs : 0);
    }
  })();
  return {
    async stop() {
      stopped = true;
      deps.onCommit.delete(wake);
      waker.wake();
      await loop;
    },
  };
}

/** Runs `pass` at once and then every `everyMs` until stopped; a failing pass is logged and retried next time. */
export function startRepeating(deps: Deps, what: string, everyMs: number, pass: () => Promise<unknown>): Stoppable {
  const waker = createWaker();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        await pass();
      } catch (error) {
        deps.logger.error(`${what} failed`, { error: describeError(error) });
      }
      await waker.wait(everyMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      waker.wake();
      await loop;
    },
  };
}
