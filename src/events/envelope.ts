/** A CloudEvents 1.0 envelope (structured mode), plus our per-subject sequence extension. */
export interface CloudEvent<T = Record<string, unknown>> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  /** Extension attribute: 1, 2, 3 … per subject. */
  sequence: number;
  /** Extension attribute: the request that caused the event (X-Request-Id), when there was one. */
  requestid?: string;
  /** The CloudEvents distributed-tracing extension: the caller's W3C trace context, when it sent one. */
  traceparent?: string;
  data: T;
}

/** Fields of an outbox row needed to build its envelope. */
export interface StoredEvent {
  id: string;
  type: string;
  source: string;
  subject: string;
  sequence: number;
  time: number;
  data: Record<string, unknown>;
  requestId?: string | null;
  traceparent?: string | null;
}

/** Builds the wire envelope of a stored event. */
export function toEnvelope(row: StoredEvent): CloudEvent {
  const envelope: CloudEvent = {
    specversion: '1.0',
    id: row.id,
    source: row.source,
    type: row.type,
    subject: row.subject,
    time: new Date(row.time).toISOString(),
    datacontenttype: 'application/json',
    sequence: row.sequence,
    data: row.data,
  };
  if (row.requestId) envelope.requestid = row.requestId;
  if (row.traceparent) envelope.traceparent = row.traceparent;
  return envelope;
}
