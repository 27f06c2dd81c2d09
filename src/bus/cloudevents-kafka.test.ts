import { describe, expect, test } from 'bun:test';
import { decodeRecord, encodeEvent } from './cloudevents-kafka.ts';
import { toEnvelope } from '../events/envelope.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const stored = { id: 'evt_1', type: 'customer.onboarded', source: 'urn:test', subject: 'cus_1', sequence: 1, time: Date.UTC(2026, 0, 1), data: { a: 1 } };

describe('the request id and trace context on Kafka records', () => {
  test('structured mode: carried inside the envelope, and left out when there are none', () => {
    const traced = toEnvelope({ ...stored, requestId: 'req-1', traceparent: TRACEPARENT });
    expect(decodeRecord(encodeEvent(traced).value, new Map())).toMatchObject({ requestid: 'req-1', traceparent: TRACEPARENT });
    expect(decodeRecord(encodeEvent(toEnvelope({ ...stored, requestId: null, traceparent: null })).value, new Map())).not.toHaveProperty('requestid');
  });

  test('binary mode: read from ce_requestid and ce_traceparent', () => {
    const headers = new Map([['ce_specversion', '1.0'], ['ce_id', 'x'], ['ce_source', 's'], ['ce_type', 't'], ['ce_subject', 'cus_1'], ['ce_time', '2026-01-01T00:00:00.000Z'], ['ce_requestid', 'req-2'], ['ce_traceparent', TRACEPARENT]]);
    expect(decodeRecord('{"a":1}', headers)).toMatchObject({ id: 'x', requestid: 'req-2', traceparent: TRACEPARENT, data: { a: 1 } });
    headers.delete('ce_requestid');
    expect(decodeRecord('{"a":1}', headers)).not.toHaveProperty('requestid');
  });
});
