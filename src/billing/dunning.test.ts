import { describe, expect, test } from 'bun:test';
import { DAY_MS } from '../subscriptions/periods.ts';
import { nextAttemptAt } from './dunning.ts';

describe('dunning is billing policy (src/billing/dunning.ts)', () => {
  const first = Date.UTC(2026, 0, 10);

  test('after the k-th failed automatic attempt the next is due DUNNING_RETRY_DAYS[k−1] days after the first failure', () => {
    expect([1, 2, 3].map((attempt) => nextAttemptAt(first, attempt, [1, 3, 5]))).toEqual([first + DAY_MS, first + 3 * DAY_MS, first + 5 * DAY_MS]);
  });

  test('when the last retry failed there is no next attempt', () => {
    expect(nextAttemptAt(first, 4, [1, 3, 5])).toBeNull();
    expect(nextAttemptAt(first, 1, [])).toBeNull();
  });
});
