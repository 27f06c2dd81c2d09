import { expect } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.ts';
import { issueToken } from '../src/auth/tokens.ts';
import { buildDeps, type BuildOptions } from '../src/build-deps.ts';
import { loadConfig } from '../src/config.ts';
import type { Deps } from '../src/deps.ts';
import { createContext, systemActor, type Ctx } from '../src/kernel/context.ts';
import { createOperator } from '../src/operators/create.ts';
import type { Problem } from '../src/http/problem.ts';
import type { ErrorCode } from '../src/kernel/errors.ts';
import { startWorkers, stopWorkers, type RunningWorker, type WorkerName } from '../workers/registry.ts';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';

/** What `call` answers: the status, the headers and the body (parsed JSON, the text when not JSON, null when empty). */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Asserts a problem+json answer with this status and `code`. */
export function expectProblem(res: ApiResponse, status: number, code: ErrorCode): asserts res is ApiResponse<Problem> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  expect((res.body as Problem).code).toBe(code);
}

/**
 * The parts of /openapi.json the tests read: a narrow view of an OpenAPI 3.1 document
 * (operations by path and method, their security, parameters, bodies and responses).
 */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  components: { securitySchemes: Record<string, unknown> };
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** One operation of the OpenAPI document, as far as the tests read it. */
export interface OpenApiOperation {
  security: Record<string, string[]>[];
  'x-access'?: string;
  /** The scope an API key needs (null: no key may call it). */
  'x-scope'?: string | null;
  /** How a tenant's resource is found (null: undeclared). */
  'x-tenant'?: string | null;
  /** The body fields a tenant may send (null: the route declares none). */
  'x-tenant-fields'?: string[] | null;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

/** A request body's JSON Schema (an object), as far as the tests read it. */
export interface JsonSchema {
  required: string[];
  properties: Record<string, { type?: string; enum?: unknown[] }>;
}

/** How `call` sends: a JSON body (or a string as is), the token (null for none), extra headers. */
export interface CallOptions {
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
}

export interface TestPlatform {
  deps: Deps;
  dir: string;
  app: ReturnType<typeof createApp>;
  /** A bearer token for a fresh operator with this role. */
  tokenFor(role: 'admin' | 'operator' | 'viewer'): Promise<string>;
  /**
   * Calls the API in-process; JSON body, bearer token of an admin unless `token` is given.
   * The body is `unknown` unless the caller names what it expects: `call<CustomerResource>(…)`,
   * `call<Problem>(…)`. The type is the test's claim, not a check; the assertions check.
   */
  call<T = unknown>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  /** A verb context acting as a system actor. */
  ctx(): Ctx;
  startWorkers(names?: readonly WorkerName[]): void;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A whole platform on a fresh libSQL file in a temp folder, migrations applied,
 * with the real app and (on request) the real workers. No mocks.
 */
export async function createTestPlatform(options: { env?: Record<string, string>; build?: Partial<BuildOptions> } = {}): Promise<TestPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'platform-test-'));
  const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'app.db')}`, DATA_DIR: dir, LOG_SILENT: '1', POLL_INTERVAL_MS: '20', ...options.env });
  const deps = await buildDeps(config, { jwtSecret: TEST_SECRET, ...options.build });
  const app = createApp(deps);
  let workers: RunningWorker[] = [];
  // One admin operator for the default token (Idempotency-Keys are scoped to it), created once even
  // under concurrent first calls; its token is signed at the clock's current time because tests move the clock.
  let admin: Promise<{ id: string }> | undefined;
  let n = 0;

  const ctx = (): Ctx => createContext(deps, systemActor('test'));

  const tokenFor = async (role: 'admin' | 'operator' | 'viewer') => {
    const op = await createOperator(ctx(), { email: `${role}-${++n}-${Date.now()}@ops.example`, name: `${role} ${n}`, role, password: 'a-long-enough-password' });
    return (await issueToken(deps.tokens, { id: op.id, role, tokenVersion: 0 }, deps.clock.now())).token;
  };

  return {
    deps,
    dir,
    app,
    tokenFor,
    ctx,
    async call<T>(method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
      let token = opts.token;
      if (token === undefined) {
        admin ??= createOperator(ctx(), { email: `admin-default@ops.example`, name: 'Default admin', role: 'admin', password: 'a-long-enough-password' });
        token = (await issueToken(deps.tokens, { id: (await admin).id, role: 'admin', tokenVersion: 0 }, deps.clock.now())).token;
      }
      const headers: Record<string, string> = { ...opts.headers };
      if (token) headers.Authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        headers['Content-Type'] ??= 'application/json';
      }
      const res = await app.request(path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed as T };
    },
    startWorkers(names) {
      workers = [...workers, ...startWorkers(deps, names)];
    },
    async stopWorkers() {
      await stopWorkers(workers, deps.logger);
      workers = [];
    },
    async close() {
      await stopWorkers(workers, deps.logger);
      deps.database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a truthy value or the deadline passes (then throws with the last value). */
export async function eventually<T>(probe: () => Promise<T>, { timeoutMs = 10_000, intervalMs = 25 } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

let seq = 0;
/** A valid onboarding body; override any field. */
export const customerInput = (overrides: Record<string, unknown> = {}) => ({
  name: `Acme ${++seq}`,
  email: `ops${seq}-${Date.now()}@acme.example`,
  kind: 'sme',
  country: 'DE',
  ...overrides,
});
