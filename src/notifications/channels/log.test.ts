import { expect, test } from 'bun:test';
import { createLogger } from '../../kernel/logger.ts';
import { createLogChannel } from './log.ts';

test('the log channel logs a redacted line: no address, subject or body; template, id and a hash of the address', async () => {
  const lines: string[] = [];
  const channel = createLogChannel('email', createLogger({ write: (_level, line) => lines.push(line) }));
  const message = { id: 'ntf_1', to: 'Jane.Doe@Example.com', subject: 'Welcome, Jane Doe', body: 'Hello Jane Doe, your code is 123456', template: 'welcome' };
  await channel.send(message);
  await channel.send({ ...message, id: 'ntf_2', to: 'jane.doe@example.com' });
  await channel.send({ ...message, id: 'ntf_3', to: 'someone-else@example.com' });
  expect(lines).toHaveLength(3);
  for (const line of lines) {
    expect(line.toLowerCase()).not.toContain('jane');
    expect(line).not.toContain('example.com');
    expect(line).not.toContain('123456');
    expect(line).not.toContain('Welcome,');
  }
  const [first, second, third] = lines.map((line) => JSON.parse(line));
  expect(first).toMatchObject({ msg: 'email (log channel)', id: 'ntf_1', template: 'welcome' });
  expect(first.recipient_hash).toMatch(/^[0-9a-f]{16}$/);
  // One address, one hash (case aside); another address, another hash.
  expect(second.recipient_hash).toBe(first.recipient_hash);
  expect(third.recipient_hash).not.toBe(first.recipient_hash);
});
