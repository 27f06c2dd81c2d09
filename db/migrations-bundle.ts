import journal from './migrations/meta/_journal.json' with { type: 'json' };
import m0000 from './migrations/0000_init.sql' with { type: 'text' };
import m0001 from './migrations/0001_plans.sql' with { type: 'text' };
import m0002 from './migrations/0002_subscriptions.sql' with { type: 'text' };
import m0003 from './migrations/0003_usage.sql' with { type: 'text' };
import m0004 from './migrations/0004_billing.sql' with { type: 'text' };
import m0005 from './migrations/0005_usage_records_per_customer.sql' with { type: 'text' };
import m0006 from './migrations/0006_operator_sessions.sql' with { type: 'text' };
import m0007 from './migrations/0007_customers_search.sql' with { type: 'text' };
import m0008 from './migrations/0008_list_indexes.sql' with { type: 'text' };
import m0009 from './migrations/0009_outbox_unpublished_in_commit_order.sql' with { type: 'text' };
import m0010 from './migrations/0010_dead_letter_replay.sql' with { type: 'text' };
import m0011 from './migrations/0011_rate_counters.sql' with { type: 'text' };
import m0012 from './migrations/0012_api_keys.sql' with { type: 'text' };
import m0013 from './migrations/0013_webhooks.sql' with { type: 'text' };
import m0014 from './migrations/0014_portal_accounts.sql' with { type: 'text' };
import m0015 from './migrations/0015_event_request_ids.sql' with { type: 'text' };
import m0016 from './migrations/0016_coupons.sql' with { type: 'text' };
import m0017 from './migrations/0017_currencies.sql' with { type: 'text' };
import m0018 from './migrations/0018_usage_thresholds.sql' with { type: 'text' };
import m0019 from './migrations/0019_margins.sql' with { type: 'text' };
import m0020 from './migrations/0020_invoice_documents.sql' with { type: 'text' };
import m0021 from './migrations/0021_test_clocks.sql' with { type: 'text' };
import m0022 from './migrations/0022_wallets.sql' with { type: 'text' };
import m0023 from './migrations/0023_entitlements.sql' with { type: 'text' };
import m0024 from './migrations/0024_usage_threshold_setter.sql' with { type: 'text' };
import m0025 from './migrations/0025_subscription_limits.sql' with { type: 'text' };
import m0026 from './migrations/0026_idempotency_recovery_points.sql' with { type: 'text' };
import m0027 from './migrations/0027_sandbox_payments.sql' with { type: 'text' };
import m0028 from './migrations/0028_audit_sources.sql' with { type: 'text' };

/**
 * Every migration's SQL, bundled into the Workers script (there is no file system to read
 * them from), in the shape drizzle's durable-sqlite migrator takes. A new migration needs a
 * line here: `db/migrations-bundle.test.ts` fails until every journal entry has one.
 */
export const bundledMigrations = {
  journal,
  migrations: {
    m0000,
    m0001,
    m0002,
    m0003,
    m0004,
    m0005,
    m0006,
    m0007,
    m0008,
    m0009,
    m0010,
    m0011,
    m0012,
    m0013,
    m0014,
    m0015,
    m0016,
    m0017,
    m0018,
    m0019,
    m0020,
    m0021,
    m0022,
    m0023,
    m0024,
    m0025,
    m0026,
    m0027,
    m0028,
  } as Record<string, string>,
};
