import { describe, expect, test } from 'bun:test';
import { webhookUrlProblem } from './url.ts';

const STRICT = { allowHttp: false, allowPrivate: false };
const HTTP = { allowHttp: true, allowPrivate: false };
const PRIVATE = { allowHttp: false, allowPrivate: true };

describe('webhook URLs', () => {
  test('https to a public host is fine; http is not', () => {
    expect(webhookUrlProblem('https://hooks.acme.example/in', STRICT)).toBeNull();
    expect(webhookUrlProblem('https://Hooks.Acme.Example./in', STRICT)).toBeNull();
    expect(webhookUrlProblem('http://hooks.acme.example/in', STRICT)).toBe('must be https');
    expect(webhookUrlProblem('http://hooks.acme.example/in', HTTP)).toBe('must be https (http only to a loopback host)');
  });

  test('loopback only when allowed, then also over http; however the name is spelled', () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]:9/x', 'https://localhost.:4242/h', 'https://LocalHost./h', 'https://LOCALHOST../h', 'https://api.localhost./h', 'https://[::ffff:127.0.0.1]/h', 'https://127.1/h', 'https://2130706433/h', 'https://0x7f.0.0.1/h']) {
      expect([url, webhookUrlProblem(url, STRICT)]).toEqual([url, 'must not point at a loopback address']);
      expect([url, webhookUrlProblem(url, HTTP)]).toEqual([url, null]);
    }
    expect(webhookUrlProblem('http://localhost./x', PRIVATE)).toBe('must be https');
    expect(webhookUrlProblem('https://localhost./x', PRIVATE)).toBeNull();
  });

  test('private, link-local and special addresses and internal names are refused unless WEBHOOKS_ALLOW_PRIVATE', () => {
    for (const url of ['https://10.0.0.1/x', 'https://192.168.1.1/x', 'https://172.20.0.1/x', 'https://100.64.0.1/x', 'https://169.254.169.254/latest', 'https://[fd00::1]/x', 'https://[fe80::1]/x', 'https://[::ffff:10.0.0.1]/x', 'https://0.0.0.0/x', 'https://[::]/x', 'https://224.0.0.1/x']) {
      expect([url, webhookUrlProblem(url, HTTP)]).toEqual([url, 'must not point at a private or link-local address']);
      expect([url, webhookUrlProblem(url, PRIVATE)]).toEqual([url, null]);
    }
    for (const url of ['https://metadata.google.internal/computeMetadata/v1/', 'https://Metadata.Google.Internal./x', 'https://metadata/x', 'https://printer.local/x', 'https://intranet/x']) {
      expect([url, webhookUrlProblem(url, STRICT)]).toEqual([url, 'must not point at an internal host name']);
    }
  });

  test('credentials, other schemes and non-URLs are refused', () => {
    expect(webhookUrlProblem('https://u:p@acme.example/', STRICT)).toBe('must not carry a user name or password');
    expect(webhookUrlProblem('not a url', STRICT)).toMatch(/absolute URL/);
    expect(webhookUrlProblem('ftp://localhost/x', HTTP)).toBe('must be an http(s) URL');
  });
});
