import { describe, expect, test } from 'bun:test';
import { signatureHeader } from './signing.ts';
import { verifyWebhook } from './verify.ts';

const secret = 'whsec_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const body = '{"specversion":"1.0","id":"evt_1","type":"customer.updated","data":{"customer":{"name":"Acme"}}}';
const now = Date.UTC(2026, 4, 1, 12);

describe('verifyWebhook', () => {
  test('accepts what the sender signs, with the raw body as a string or bytes', async () => {
    const header = await signatureHeader([secret], now, body);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(await verifyWebhook(secret, header, body, { now })).toEqual({ valid: true, timestamp: Math.floor(now / 1000) });
    expect((await verifyWebhook(secret, header, new TextEncoder().encode(body), { now })).valid).toBe(true);
  });

  test('refuses a tampered body, another secret, an old or future timestamp and a malformed header', async () => {
    const header = await signatureHeader([secret], now, body);
    expect(await verifyWebhook(secret, header, body.replace('Acme', 'Evil'), { now })).toEqual({ valid: false, reason: 'no_matching_signature' });
    expect(await verifyWebhook(`${secret}0`, header, body, { now })).toEqual({ valid: false, reason: 'no_matching_signature' });
    expect(await verifyWebhook(secret, header, body, { now: now + 301_000 })).toEqual({ valid: false, reason: 'timestamp_out_of_tolerance' });
    expect(await verifyWebhook(secret, header, body, { now: now - 301_000 })).toEqual({ valid: false, reason: 'timestamp_out_of_tolerance' });
    expect((await verifyWebhook(secret, header, body, { now: now + 3_600_000, toleranceSeconds: 7200 })).valid).toBe(true);
    // A replayed signature under a new timestamp does not match: t is part of what is signed.
    const replayed = header.replace(/^t=\d+/, `t=${Math.floor(now / 1000) + 60}`);
    expect(await verifyWebhook(secret, replayed, body, { now })).toEqual({ valid: false, reason: 'no_matching_signature' });
    for (const bad of [null, '', 'v1=abc', `t=${Math.floor(now / 1000)}`, 'garbage']) {
      expect(await verifyWebhook(secret, bad, body, { now })).toEqual({ valid: false, reason: 'malformed_header' });
    }
  });

  test('during a rotation the header carries one signature per secret and either secret verifies', async () => {
    const next = 'whsec_ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff';
    const header = await signatureHeader([next, secret], now, body);
    expect(header.split(',').filter((p) => p.startsWith('v1='))).toHaveLength(2);
    expect((await verifyWebhook(secret, header, body, { now })).valid).toBe(true);
    expect((await verifyWebhook(next, header, body, { now })).valid).toBe(true);
    expect((await verifyWebhook([`${secret}0`, next], header, body, { now })).valid).toBe(true);
  });
});
