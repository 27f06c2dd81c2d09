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
}

/** Builds the wire envelope of a stored event. */
export function toEnvelope(row: StoredEvent): CloudEvent {
  return {
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
}
