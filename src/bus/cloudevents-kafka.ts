import type { CloudEvent } from '../events/envelope.ts';

/**
 * The CloudEvents Kafka protocol binding, as this platform uses it.
 *
 * We publish in **structured mode**: the record's value is the whole CloudEvents JSON
 * envelope, its key is the event's `subject` (so one aggregate's events share a partition
 * and keep their order), and the header `content-type` is `application/cloudevents+json`.
 * Anything that reads Kafka (the console consumer, kcat) sees the envelope as it is.
 *
 * We read both modes: structured (that header, or a value that is a JSON envelope), and
 * **binary** (attributes in `ce_*` headers — `ce_specversion`, `ce_id`, `ce_source`,
 * `ce_type`, `ce_subject`, `ce_time`, optional `ce_sequence`, `ce_requestid`, `ce_traceparent` — and `data` as the value).
 * What cannot be decoded is handed on as it is, so the consumer dead-letters it with the reason.
 */
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

export interface KafkaRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function encodeEvent(event: CloudEvent): KafkaRecord {
  return { key: event.subject, value: JSON.stringify(event), headers: { 'content-type': STRUCTURED_CONTENT_TYPE } };
}

function parseJson(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The envelope a record carries, or the undecodable record itself (`{ undecodable, value }`). */
export function decodeRecord(value: string | undefined, headers: ReadonlyMap<string, string>): unknown {
  const parsed = parseJson(value);
  if (headers.has('ce_specversion')) {
    const attribute = (name: string) => headers.get(`ce_${name}`);
    const sequence = Number(attribute('sequence') ?? 0);
    return {
      specversion: attribute('specversion'),
      id: attribute('id'),
      source: attribute('source'),
      type: attribute('type'),
      subject: attribute('subject'),
      time: attribute('time'),
      datacontenttype: headers.get('content-type') ?? 'application/json',
      sequence: Number.isSafeInteger(sequence) ? sequence : 0,
      ...(attribute('requestid') ? { requestid: attribute('requestid') } : {}),
      ...(attribute('traceparent') ? { traceparent: attribute('traceparent') } : {}),
      data: parsed.ok ? parsed.value : value,
    };
  }
  return parsed.ok ? parsed.value : { undecodable: 'the record is neither a CloudEvents JSON envelope nor a binary-mode event', value };
}
