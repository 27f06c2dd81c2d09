import type { Executor } from '../../db/client.ts';
import type { Bus } from '../bus/bus.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import { consumerGroups, eventsPerMinute, outboxBacklog, subscriptionCounts } from './activity.ts';
import type { CurrencyReport, OverviewResource } from './contract.ts';
import { receivables, revenueByMonth } from './invoices.ts';
import { lastMonths, type Movement } from './metrics.ts';
import { currentMrr, mrrMovement } from './mrr.ts';

/** What the overview reads: the database, the bus (consumer groups) and the time it is made at. */
export interface OverviewSources {
  db: Executor;
  bus: Pick<Bus, 'groups'>;
  now: number;
}

const MOVEMENT_MONTHS = 6;
const REVENUE_MONTHS = 12;
const month = (ms: number) => toIso(ms).slice(0, 7);

/** The platform at a glance (GET /v1/reports/overview and the dashboard's home): business figures per currency and the event pipeline's health. */
export async function getOverview({ db, bus, now }: OverviewSources): Promise<OverviewResource> {
  const movementMonths = lastMonths(now, MOVEMENT_MONTHS);
  const revenueMonths = lastMonths(now, REVENUE_MONTHS);
  const mrr = await currentMrr(db);
  const movement = await mrrMovement(db, [...movementMonths, now]);
  const revenue = await revenueByMonth(db, revenueMonths, now);
  const open = await receivables(db);
  const currencies = new Set([...mrr.keys(), ...movement.flatMap((m) => [...m.keys()]), ...revenue.collected.keys(), ...open.keys()]);
  const backlog = await outboxBacklog(db);
  const events = await eventsPerMinute(db, now);

  const report = (currency: string): CurrencyReport => {
    const money = (amount: number) => ({ amount, currency });
    const moved = (m: Movement | undefined) => ({ new: money(m?.new ?? 0), expansion: money(m?.expansion ?? 0), contraction: money(m?.contraction ?? 0), churn: money(m?.churn ?? 0), net: money(m?.net ?? 0) });
    const receivable = open.get(currency);
    return {
      currency,
      mrr: money(mrr.get(currency) ?? 0),
      mrr_movement: moved(movement.at(-1)!.get(currency)),
      mrr_movement_by_month: movementMonths.map((start, i) => ({ month: month(start), movement: moved(movement[i]!.get(currency)) })),
      revenue_by_month: revenueMonths.map((start, i) => ({ month: month(start), collected: money(revenue.collected.get(currency)?.[i] ?? 0), invoices: revenue.invoices.get(currency)?.[i] ?? 0 })),
      open: { invoices: receivable?.open.invoices ?? 0, amount_due: money(receivable?.open.amountDue ?? 0) },
      overdue: { invoices: receivable?.overdue.invoices ?? 0, amount_due: money(receivable?.overdue.amountDue ?? 0) },
    };
  };

  return {
    object: 'overview',
    generated_at: toIso(now),
    month_start: toIso(movementMonths.at(-1)!),
    currencies: [...currencies].sort().map(report),
    subscriptions: await subscriptionCounts(db),
    events: { minutes: events.minutes.map(toIso), types: events.types },
    consumers: await consumerGroups(bus),
    outbox: {
      depth: backlog.depth,
      oldest_unpublished_at: toIsoOrNull(backlog.oldestAt),
      oldest_age_seconds: backlog.oldestAt === null ? null : Math.max(0, Math.floor((now - backlog.oldestAt) / 1000)),
    },
  };
}
