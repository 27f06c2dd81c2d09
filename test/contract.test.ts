import { afterAll, beforeAll, describe } from 'bun:test';
import type { ContractTarget } from './contract/client.ts';
import { contractSuite } from './contract/suite.ts';
import { runtimeNames, selectedRuntimes, startRuntime, unavailability, type RunningRuntime } from './runtimes.ts';

/**
 * One contract suite against the platform served by each runtime, each started by
 * its own npm script (test/runtimes.ts). A runtime that cannot be started here is a skip whose
 * name says `skipped: runtime <name> unavailable`, which CI (.ci/run) refuses; CONTRACT_RUNTIMES
 * (`node,deno`) runs some of them, the others then skip as not selected.
 */
const selected = selectedRuntimes();

for (const name of runtimeNames) {
  const missing = selected.includes(name) ? unavailability(name) : `not selected by CONTRACT_RUNTIMES=${process.env.CONTRACT_RUNTIMES}`;
  if (missing) {
    const reason = selected.includes(name) ? `unavailable: ${missing}` : missing;
    describe.skip(`contract [${name}] [skipped: runtime ${name} ${reason}]`, () => contractSuite(() => ({ runtime: name, baseUrl: '', admin: { email: '', password: '' } })));
    continue;
  }
  describe(`contract [${name}]`, () => {
    let running: RunningRuntime | undefined;
    const target = (): ContractTarget => {
      if (!running) throw new Error(`runtime ${name} is not running`);
      return { runtime: name, baseUrl: running.baseUrl, admin: running.admin };
    };
    beforeAll(async () => {
      running = await startRuntime(name);
    }, 90_000);
    afterAll(async () => {
      await running?.stop();
    }, 30_000);
    contractSuite(target);
  });
}
