import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';
import type { NotificationEntry } from '../src/customers/contract.ts';
import type { Page } from '../db/paging.ts';
import { startSmtpServer } from './smtp-server.ts';
import type { CustomerResource } from '../src/customers/contract.ts';


let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let p: TestPlatform;

beforeAll(async () => {
  smtp = await startSmtpServer();
  p = await createTestPlatform({
    env: { EMAIL_CHANNEL: 'smtp', SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, EMAIL_FROM: 'Platform <billing@platform.example>' },
  });
  p.startWorkers();
});
afterAll(async () => {
  await p.close();
  await smtp.close();
});

describe('SMTP email channel', () => {
  test('the welcome email reaches a real SMTP server with the notification id as Message-ID', async () => {
    const input = customerInput({ name: 'Mail Receiver Ltd' });
    const { body: customer } = await p.call<CustomerResource>('POST', '/v1/customers', { body: input });
    const mail = await eventually(async () => smtp.received.find((m) => m.to.includes(input.email as string)));
    expect(mail.from).toBe('billing@platform.example');
    expect(mail.raw).toContain('Subject: Welcome aboard');
    expect(mail.raw).toContain('Hello Mail Receiver Ltd,');

    const history = await eventually(async () => {
      const res = await p.call<Page<NotificationEntry>>('GET', `/v1/customers/${customer.id}/notifications`);
      return res.body.data[0];
    });
    expect(history.status).toBe('sent');
    expect(mail.raw).toMatch(new RegExp(`Message-ID: <${history.notification_id}@`, 'i'));
  });
});
