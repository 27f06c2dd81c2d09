import { beforeAll, expect } from 'bun:test';
import type { LoginResponse, OperatorResource } from '../../src/operators/contract.ts';
import { contractClient, tag, type ContractClient, type ContractTarget } from './client.ts';

/** An operator the suite created through the API, with its token. */
export interface SuiteOperator {
  id: string;
  email: string;
  token: string;
}

/** What every part of the suite shares for one target: the client (as the admin) and one operator per role. */
export interface Session {
  /** Calls as the first admin unless a `token` is given. */
  api: ContractClient;
  target(): ContractTarget;
  admin: SuiteOperator;
  operator: SuiteOperator;
  viewer: SuiteOperator;
  /** POST /v1/auth/login. */
  login(email: string, password: string): ReturnType<ContractClient['call']>;
  /** Creates an operator through the API as the admin and logs it in. */
  createOperator(role: 'admin' | 'operator' | 'viewer'): Promise<SuiteOperator>;
}

/** The password the suite gives the operators it creates. */
export const OPERATOR_PASSWORD = 'a-long-enough-operator-passphrase';

/**
 * A session on the target: in a `beforeAll`, the first admin (from ADMIN_EMAIL/ADMIN_PASSWORD)
 * logs in and creates an operator and a viewer through the API, which log in in turn.
 */
export function contractSession(target: () => ContractTarget): Session {
  let adminToken: string | null = null;
  const api = contractClient(target, () => adminToken);
  const login = (email: string, password: string) => api.call<LoginResponse>('POST', '/v1/auth/login', { body: { email, password }, token: null });

  async function logIn(email: string, password: string): Promise<SuiteOperator> {
    const res = await login(email, password);
    expect(res.status).toBe(200);
    const body = res.body as LoginResponse;
    return { id: body.operator.id, email, token: body.token };
  }

  async function createOperator(role: 'admin' | 'operator' | 'viewer') {
    const email = `${role}-${tag()}@contract.example`;
    const created = await api.call<OperatorResource>('POST', '/v1/operators', { body: { email, name: `Contract ${role}`, role, password: OPERATOR_PASSWORD } });
    expect(created.status).toBe(201);
    return logIn(email, OPERATOR_PASSWORD);
  }

  const session: Session = {
    api,
    target,
    admin: { id: '', email: '', token: '' },
    operator: { id: '', email: '', token: '' },
    viewer: { id: '', email: '', token: '' },
    login,
    createOperator,
  };
  beforeAll(async () => {
    session.admin = await logIn(target().admin.email, target().admin.password);
    adminToken = session.admin.token;
    [session.operator, session.viewer] = await Promise.all([createOperator('operator'), createOperator('viewer')]);
  }, 60_000);
  return session;
}
