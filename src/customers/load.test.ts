import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, customerInput, type TestPlatform } from '../../test/harness.ts';
import { withTransaction } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { loadCustomer, saveCustomer } from './load.ts';
import type { OnboardCustomerInput } from './contract.ts';
import { onboardCustomer } from './onboard.ts';
import { activateCustomer } from './transition.ts';
import { updateCustomer } from './update.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p.close());

describe("customers save through saveVersioned's optimistic check", () => {
  test('a save from a stale read is a 409 conflict and leaves the newer write in place', async () => {
    const { id } = await onboardCustomer(p.ctx(), customerInput() as OnboardCustomerInput);
    const stale = await loadCustomer(p.deps.db, id);
    await activateCustomer(p.ctx(), id);

    const error = await withTransaction(p.ctx(), (ctx) => saveCustomer(ctx, stale, { name: 'Lost Update GmbH' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('conflict');

    const now = await loadCustomer(p.deps.db, id);
    expect(now.status).toBe('active');
    expect(now.name).toBe(stale.name);
    expect(now.version).toBe(stale.version + 1);
  });

  test('every customer verb bumps the version by one through the same save', async () => {
    const created = await onboardCustomer(p.ctx(), customerInput() as OnboardCustomerInput);
    const activated = await activateCustomer(p.ctx(), created.id);
    const updated = await updateCustomer(p.ctx(), created.id, { name: 'Renamed AG' });
    expect([created.version, activated.version, updated.version]).toEqual([1, 2, 3]);
  });
});
