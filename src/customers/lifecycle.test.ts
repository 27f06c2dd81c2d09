import { describe, expect, test } from 'bun:test';
import { compareSegments, nextSegment, nextStatus } from './lifecycle.ts';

describe('customer lifecycle', () => {
  test('allows exactly the documented transitions', () => {
    expect(nextStatus('onboarded', 'activate')).toBe('active');
    expect(nextStatus('active', 'deactivate')).toBe('deactivated');
    expect(nextStatus('deactivated', 'activate')).toBe('active');
    expect(nextStatus('active', 'promote')).toBe('active');
    for (const from of ['onboarded', 'active', 'deactivated'] as const) expect(nextStatus(from, 'erase')).toBe('erased');
  });

  test('refuses moves to the current state and out of erased', () => {
    expect(nextStatus('active', 'activate')).toBeNull();
    expect(nextStatus('deactivated', 'deactivate')).toBeNull();
    expect(nextStatus('onboarded', 'deactivate')).toBeNull();
    expect(nextStatus('onboarded', 'promote')).toBeNull();
    expect(nextStatus('deactivated', 'promote')).toBeNull();
    for (const t of ['activate', 'deactivate', 'promote', 'erase'] as const) expect(nextStatus('erased', t)).toBeNull();
  });

  test('segments go up one step and stop at platinum', () => {
    expect(nextSegment('bronze')).toBe('silver');
    expect(nextSegment('gold')).toBe('platinum');
    expect(nextSegment('platinum')).toBeNull();
    expect(compareSegments('silver', 'gold')).toBeLessThan(0);
  });
});
