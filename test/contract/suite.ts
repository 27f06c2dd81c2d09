import { authContract } from './auth.ts';
import { billingContract } from './billing.ts';
import type { ContractTarget } from './client.ts';
import { concurrencyContract } from './concurrency.ts';
import { customersContract } from './customers.ts';
import { healthContract } from './health.ts';
import { historyContract } from './history.ts';
import { idempotencyContract } from './idempotency.ts';
import { onboardingContract } from './onboarding.ts';
import { contractSession } from './session.ts';
import { subscriptionsContract } from './subscriptions.ts';
import { validationContract } from './validation.ts';

/**
 * The contract suite: HTTP black-box tests of the whole API, registered inside the caller's
 * `describe` and run against whatever `target()` names once its `beforeAll` has started it
 * (a runtime from test/runtimes.ts). Only `fetch`: nothing of the app is imported but types.
 */
export function contractSuite(target: () => ContractTarget) {
  const session = contractSession(target);
  healthContract(session);
  authContract(session);
  validationContract(session);
  idempotencyContract(session);
  customersContract(session);
  subscriptionsContract(session);
  billingContract(session);
  historyContract(session);
  onboardingContract(session);
  concurrencyContract(session);
}
