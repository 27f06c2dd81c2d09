import type { Tx } from '../../db/client.ts';
import type { CloudEvent } from '../events/envelope.ts';

/** Receives one raw event; resolving means its effects are durable and it may be acknowledged. */
export type DeliveryHandler = (raw: unknown) => Promise<void>;

export interface SubscribeOptions {
  /** Consumer group: each group sees every event of its types once (at least once on the wire). */
  group: string;
  types: readonly string[];
  handle: DeliveryHandler;
}

export interface Subscription {
  /** Stops fetching; resolves when the event in hand (if any) is finished. */
  stop(): Promise<void>;
}

export interface GroupState {
  group: string;
  types: string[];
  /** Adapter-specific position (log offset on the embedded bus). */
  position: number;
  /** Events of the group's types published but not yet handled. */
  lag: number;
  /** Events the group parked as undeliverable (dead-letter table or `<topic>.dlq`). */
  deadLetters: number;
  updatedAt: number | null;
}

/** A parked event handed back to the one group that parked it. */
export interface Redelivery {
  group: string;
  /** Unique per replay: queueing again under the same key queues nothing. */
  key: string;
  type: string;
  subject: string;
  /** The envelope as it was parked (JSON text). */
  envelope: string;
}

/**
 * The message bus port. Adapters: embedded (a log in libSQL), Kafka, Kafka REST.
 * Delivery is at least once and in order per subject; consumers dedupe through the inbox.
 */
export interface Bus {
  readonly name: string;
  /** Publishes events in order; resolves only once the bus has durably accepted all of them. */
  publish(events: readonly CloudEvent[]): Promise<void>;
  subscribe(options: SubscribeOptions): Subscription;
  /** Parks an event a group could not handle, with the reason. */
  deadLetter(group: string, raw: unknown, reason: string): Promise<void>;
  /**
   * Queues a parked event again for its group alone, inside the caller's transaction, so the
   * dead letter is marked replayed (and audited) in the same commit. Only a bus whose log is
   * in the database can (embedded); the Kafka adapters leave it out.
   */
  redeliver?(tx: Tx, delivery: Redelivery): Promise<void>;
  groups(): Promise<GroupState[]>;
  /** Whether the transport is reachable (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
