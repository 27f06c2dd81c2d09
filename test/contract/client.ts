import { expect } from 'bun:test';
import type { ApiResponse, CallOptions } from '../harness.ts';
import type { Problem } from '../../src/http/problem.ts';
import type { ErrorCode } from '../../src/kernel/errors.ts';

/** Where the suite finds a served platform: its base URL and the first admin's credentials. */
export interface ContractTarget {
  runtime: string;
  baseUrl: string;
  admin: { email: string; password: string };
}

/** What `call` sends on top of CallOptions: an Idempotency-Key. */
export interface ContractCallOptions extends CallOptions {
  idempotencyKey?: string;
}

/** A bare HTTP client for one target: `fetch` and nothing of the app. */
export interface ContractClient {
  /**
   * Calls the API with a JSON body (a string is sent as is), the given token (`null`: none;
   * unset: the default token). The body is `unknown` unless the test names what it expects.
   */
  call<T = unknown>(method: string, path: string, options?: ContractCallOptions): Promise<ApiResponse<T> & { text: string }>;
}

/** A client for the target `target()` names when called (it is known only once the runtime is up). */
export function contractClient(target: () => ContractTarget, defaultToken: () => string | null): ContractClient {
  return {
    async call<T>(method: string, path: string, options: ContractCallOptions = {}) {
      const token = options.token === undefined ? defaultToken() : options.token;
      const headers: Record<string, string> = {};
      if (token) headers.Authorization = `Bearer ${token}`;
      if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['Content-Type'] = 'application/json';
      }
      Object.assign(headers, options.headers);
      const res = await fetch(`${target().baseUrl}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed as T, text };
    },
  };
}

/** Asserts an RFC 9457 answer: status, content type, stable code and type, a detail. */
export function expectProblem(res: ApiResponse, status: number, code: ErrorCode): asserts res is ApiResponse<Problem> {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status, code, type: `/problems/${code}` } });
  expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  expect(typeof (res.body as Problem).detail).toBe('string');
}

/** Asserts a 400 validation problem naming exactly `fields` (in any order). */
export function expectInvalid(res: ApiResponse, fields: string[]): asserts res is ApiResponse<Problem> {
  expectProblem(res, 400, 'validation');
  expect([...new Set((res.body as Problem).errors?.map((e) => e.field))].sort()).toEqual([...fields].sort());
}

/** A short random marker, so the rows of one test are found by a filter. */
export const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);

/** A valid onboarding body; override any field. */
export const customerBody = (overrides: Record<string, unknown> = {}) => {
  const t = tag();
  return { name: `Contract ${t}`, email: `ops-${t}@contract.example`, kind: 'sme', country: 'DE', ...overrides };
};
