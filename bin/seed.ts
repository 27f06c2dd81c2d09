import { SingleBar } from 'cli-progress';
import { count, ne } from 'drizzle-orm';
import { customers } from '../db/schema/index.ts';
import { runBillingCycle } from '../src/billing/cycle.ts';
import { collectionSettings, type CollectionSettings } from '../src/billing/collection-settings.ts';
import { subscribe } from '../src/billing/subscribe.ts';
import { customerKinds } from '../db/schema/index.ts';
import { onboardCustomer } from '../src/customers/onboard.ts';
import { updateCustomer } from '../src/customers/update.ts';
import type { Deps } from '../src/deps.ts';
import type { ManualClock } from '../src/kernel/clock.ts';
import { createContext, systemActor, type Ctx } from '../src/kernel/context.ts';
import { createPlan } from '../src/plans/create.ts';
import { cancelSubscription } from '../src/subscriptions/cancel.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import { recordUsage } from '../src/usage/record.ts';
import { addUser } from '../src/users/add.ts';
import { UsageError } from './cli-support.ts';

export interface SeedOptions {
  /** Seed even though the database already has customers. */
  force: boolean;
  /** Customers to create (default 50). */
  customers?: number;
  /** Days of history, ending at the wall-clock day (default 365). */
  days?: number;
  progress: boolean;
}

export interface SeedSummary {
  plans: number;
  customers: number;
  users: number;
  subscriptions: number;
  usageRecords: number;
  billingPasses: number;
  seconds: number;
}

/** A small deterministic generator (mulberry32), so two seeds of a fresh database tell the same story. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Wonka', 'Oscorp', 'Vandelay'];
const SECOND = ['Labs', 'Systems', 'Analytics', 'Health', 'University', 'Studio', 'Logistics', 'Foundation'];
const COUNTRIES = [['DE', 1900], ['FR', 2000], ['NL', 2100], ['US', 0], ['GB', 2000], ['ES', 2100]] as const;

/** What happens to one seeded customer over the simulated time. */
interface Story {
  index: number;
  day: number;
  plan: 'starter' | 'pro' | 'team' | 'enterprise' | null;
  /** Cancels (at once) on this day. */
  cancelDay?: number;
  /** Card declines from this day; replaced `recoverAfter` days later (never when undefined). */
  declineDay?: number;
  recoverAfter?: number;
  customerId?: string;
  subscriptionId?: string;
}

/** Every customer's story: when it joins, on which plan, whether it cancels or its card fails. */
function stories(total: number, days: number, rand: () => number): Story[] {
  const plans = ['starter', 'starter', 'pro', 'team', 'pro', 'enterprise'] as const;
  return Array.from({ length: total }, (_, index) => {
    // Most join in the first ten months; the last few join in the final days (trials, onboarded).
    const recent = index >= total - 5;
    const day = recent ? days - 1 - (total - 1 - index) * 2 : Math.floor((index / (total - 5)) * (days - 60));
    const story: Story = { index, day, plan: index % 17 === 16 ? null : plans[index % plans.length]! };
    if (!recent && index % 7 === 3) story.cancelDay = Math.min(days - 2, day + 90 + Math.floor(rand() * 120));
    if (!recent && index % 5 === 2) {
      story.declineDay = Math.min(days - 20, day + 60 + Math.floor(rand() * 150));
      // Half recover after a few days; the rest stay declined (dunning runs its course).
      if (index % 10 === 7) story.recoverAfter = 3;
    }
    // A few cards fail in the last month and are not replaced: past_due subscriptions today.
    if (!recent && story.declineDay === undefined && story.cancelDay === undefined && index % 4 === 0) story.declineDay = days - 31;
    return story;
  });
}

/** Counts live customers: a database that has any is not fresh. */
export async function countCustomers(deps: Deps): Promise<number> {
  const [row] = await deps.db.select({ n: count() }).from(customers).where(ne(customers.status, 'erased'));
  return row?.n ?? 0;
}

/**
 * Seeds demo data through the API's verbs while moving a manual clock through a year that ends
 * today: plans (EUR and USD), customers of every kind with users, subscriptions that trial,
 * renew, fall past due (declined cards → dunning), recover or cancel, weekly usage, and the
 * billing pass run once per simulated day, so invoices and payments happen as if time passed.
 */
export async function seed(deps: Deps, clock: ManualClock, options: SeedOptions): Promise<SeedSummary> {
  const existing = await countCustomers(deps);
  if (existing > 0 && !options.force) {
    throw new UsageError(`the database already has ${existing} customers: seed is for a fresh database (pass --force to add the demo data anyway)`);
  }
  const started = performance.now();
  const days = options.days ?? 365;
  const total = options.customers ?? 50;
  const end = Date.now();
  const start = Math.floor((end - days * DAY_MS) / DAY_MS) * DAY_MS + 9 * 3_600_000;
  clock.set(start);
  const ctx: Ctx = createContext(deps, systemActor('seed'));
  const rand = random(14);
  const tag = Math.floor(end / 1000).toString(36);
  const summary = { plans: 0, customers: 0, users: 0, subscriptions: 0, usageRecords: 0, billingPasses: 0 };

  const plan = async (input: Omit<Parameters<typeof createPlan>[1], 'prices'>) => {
    summary.plans++;
    return (await createPlan(ctx, { ...input, prices: [] })).id;
  };
  const planIds = {
    starter: await plan({ code: `starter-${tag}`, name: 'Starter', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 14, included_tokens: 100_000, overage_price_per_1k: 200, quota_policy: 'overage', features: [] }),
    pro: await plan({ code: `pro-${tag}`, name: 'Pro', price_amount: 9900, currency: 'EUR', interval: 'month', trial_days: 14, included_tokens: 1_000_000, overage_price_per_1k: 100, quota_policy: 'overage', features: [] }),
    team: await plan({ code: `team-${tag}`, name: 'Team (USD)', price_amount: 4900, currency: 'USD', interval: 'month', trial_days: 0, included_tokens: 500_000, overage_price_per_1k: 150, quota_policy: 'overage', features: [] }),
    enterprise: await plan({ code: `enterprise-${tag}`, name: 'Enterprise', price_amount: 240_000, currency: 'EUR', interval: 'year', trial_days: 0, included_tokens: 20_000_000, overage_price_per_1k: 80, quota_policy: 'overage', features: [] }),
  };

  const cast = stories(total, days, rand);
  const bar = options.progress ? new SingleBar({ stream: process.stderr, format: 'seeding {bar} {percentage}% | day {value}/{total} | {customers} customers, {subscriptions} subscriptions', hideCursor: true }) : undefined;
  bar?.start(days, 0, summary);
  try {
    for (let day = 0; day < days; day++) {
      clock.set(start + day * DAY_MS);
      for (const story of cast) {
        if (story.day === day) await join(ctx, collectionSettings(ctx, deps.payments), story, planIds, tag, summary);
        if (!story.subscriptionId || !story.customerId) continue;
        if (story.declineDay === day) await updateCustomer(ctx, story.customerId, { payment_method: 'tok_decline' });
        if (story.declineDay !== undefined && story.recoverAfter !== undefined && story.declineDay + story.recoverAfter === day) {
          await updateCustomer(ctx, story.customerId, { payment_method: 'tok_visa' });
        }
        if (story.cancelDay === day) await cancelSubscription(ctx, story.subscriptionId, { at_period_end: false }).catch(() => undefined);
      }
      if (day % 7 === 6) summary.usageRecords += await weeklyUsage(ctx, cast, day, rand);
      // The billing pass at mid-day and at the day's end, as the worker would run it.
      clock.set(start + day * DAY_MS + 6 * 3_600_000);
      await runBillingCycle(deps);
      summary.billingPasses++;
      bar?.update(day + 1, summary);
    }
  } finally {
    bar?.stop();
  }
  return { ...summary, seconds: (performance.now() - started) / 1000 };
}

/** Onboards a story's customer with one or two users and, unless it only looks around, subscribes it. */
async function join(ctx: Ctx, collection: CollectionSettings, story: Story, planIds: Record<NonNullable<Story['plan']>, string>, tag: string, summary: { customers: number; users: number; subscriptions: number }) {
  const i = story.index;
  const kind = customerKinds[i % customerKinds.length]!;
  const [country, tax] = COUNTRIES[i % COUNTRIES.length]!;
  const name = kind === 'individual' ? `Alex Example ${i + 1}` : `${FIRST[i % FIRST.length]} ${SECOND[i % SECOND.length]} ${i + 1}`;
  const customer = await onboardCustomer(ctx, {
    name,
    email: `billing+${tag}-${i + 1}@example.com`,
    kind,
    country,
    tax_rate_bps: tax,
    payment_method: 'tok_ok',
    metadata: { seeded: true },
  });
  summary.customers++;
  story.customerId = customer.id;
  const userCount = kind === 'individual' ? 1 : 2;
  for (let u = 0; u < userCount; u++) {
    await addUser(ctx, customer.id, { email: `user${u + 1}+${tag}-${i + 1}@example.com`, name: `User ${u + 1}`, role: u === 0 ? 'admin' : 'member', invite: u > 0 });
    summary.users++;
  }
  if (story.plan === null) return;
  const sub = await subscribe(ctx, { customer_id: customer.id, plan_id: planIds[story.plan], trial: true }, collection);
  story.subscriptionId = sub.id;
  summary.subscriptions++;
}

/** A week of gateway usage for every subscribed customer, a few records each (ids make a re-run count once). */
async function weeklyUsage(ctx: Ctx, cast: Story[], day: number, rand: () => number): Promise<number> {
  const records = cast
    .filter((s) => s.subscriptionId && s.customerId && (s.cancelDay === undefined || s.cancelDay > day))
    .map((s) => ({
      id: `seed-${s.index}-${day}`,
      customer_id: s.customerId!,
      subscription_id: s.subscriptionId!,
      model: s.index % 2 === 0 ? 'gpt-x' : 'claude-y',
      tokens: 5_000 + Math.floor(rand() * (s.plan === 'pro' || s.plan === 'enterprise' ? 400_000 : 40_000)),
      occurred_at: new Date(ctx.clock.now() - 3_600_000).toISOString(),
    }));
  if (records.length === 0) return 0;
  const batch = await recordUsage(ctx, records);
  return batch.accepted;
}
