import { describe, expect, test } from 'bun:test';
import { webhookUrlProblem } from './url.ts';

describe('webhook URLs', () => {
  test('https to a public host is fine; http is not', () => {
    expect(webhookUrlProblem('https://hooks.acme.example/in', false)).toBeNull();
    expect(webhookUrlProblem('http://hooks.acme.example/in', false)).toBe('must be https');
    expect(webhookUrlProblem('http://hooks.acme.example/in', true)).toBe('must be https (http only to a loopback host)');
  });

  test('loopback only when allowed, then also over http', () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]:9/x']) {
      expect(webhookUrlProblem(url, false)).toBe('must not point at a loopback address');
      expect(webhookUrlProblem(url, true)).toBeNull();
    }
  });

  test('private and link-local addresses, credentials and non-URLs are refused', () => {
    for (const url of ['https://10.0.0.1/x', 'https://192.168.1.1/x', 'https://172.20.0.1/x', 'https://169.254.169.254/latest', 'https://[fd00::1]/x']) {
      expect(webhookUrlProblem(url, true)).toBe('must not point at a private or link-local address');
    }
    expect(webhookUrlProblem('https://u:p@acme.example/', false)).toBe('must not carry a user name or password');
    expect(webhookUrlProblem('not a url', false)).toMatch(/absolute URL/);
    expect(webhookUrlProblem('ftp://localhost/x', true)).toBe('must be an http(s) URL');
  });
});
