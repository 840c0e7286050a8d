// Consumes a NATS JetStream stream into an event sensor: each message is acknowledged only after its events are landed durably.
import { AckPolicy, connect, nanos, type JsMsg, type NatsConnection } from 'nats';
import { SluiceError } from '../errors.js';
import type { EventSensorDefinition } from '../model/project-definition.js';

/** Where to read from. */
export type NatsIngestConfig = NonNullable<EventSensorDefinition['nats']>;

/** Lands a message's events (its text: one event or an array); resolves once they are durable. */
export type EventSink = (body: string, origin: string, receivedAt: number) => Promise<unknown>;

/** A running consumer. */
export interface NatsIngest {
  /** Stops fetching, waits for messages being landed (and their acks), closes the connection. */
  stop(): Promise<void>;
}

/** How long an unacknowledged message waits before JetStream redelivers it. */
const ACK_WAIT_MS = 30_000;
/** Backoff before a message whose landing failed is redelivered. */
const NAK_DELAY_MS = 1_000;

/**
 * Connects, makes sure the stream (when `subjects` are given) and a durable pull consumer exist, and
 * lands every message: a JSON object is one event, a JSON array several. Delivery is at-least-once
 * (a crash between landing and ack redelivers the message), so the pipeline must merge by event key.
 * A message that is not JSON can never be landed: it is terminated (not redelivered) and logged.
 * @example const ingest = await startNatsIngest({ stream: 'FLIGHTS', subjects: ['flights.>'] }, 'flight_events', sink, console.log);
 */
export async function startNatsIngest(config: NatsIngestConfig, sensorName: string, sink: EventSink, log: (line: string) => void): Promise<NatsIngest> {
  const servers = typeof config.servers === 'string' ? config.servers : [...(config.servers ?? ['nats://127.0.0.1:4222'])];
  let nc: NatsConnection;
  try {
    nc = await connect({ servers, name: `sluice ${sensorName}`, maxReconnectAttempts: -1 });
  } catch (cause) {
    throw new SluiceError(
      'SOURCE_ERROR',
      `sensor "${sensorName}": cannot connect to NATS at ${String(servers)}: ${cause instanceof Error ? cause.message : String(cause)}; start nats-server with JetStream (-js) or fix \`nats.servers\``,
      { cause },
    );
  }
  try {
    const durable = config.durable ?? `sluice_${sensorName.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    await ensureConsumer(nc, config, durable, sensorName);
    const consumer = await nc.jetstream().consumers.get(config.stream, durable);
    const messages = await consumer.consume({ max_messages: 1000 });
    const inFlight = new Set<Promise<void>>();
    const loop = (async () => {
      for await (const message of messages) {
        const landing = land(message, config.stream, sink, log).finally(() => inFlight.delete(landing));
        inFlight.add(landing);
      }
    })();
    return {
      stop: async () => {
        await messages.close();
        await loop.catch(() => undefined);
        await Promise.all(inFlight);
        await nc.drain().catch(() => undefined);
      },
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function ensureConsumer(nc: NatsConnection, config: NatsIngestConfig, durable: string, sensorName: string): Promise<void> {
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.info(config.stream);
  } catch {
    if (!config.subjects || config.subjects.length === 0) {
      throw new SluiceError(
        'SOURCE_ERROR',
        `sensor "${sensorName}": NATS stream "${config.stream}" does not exist; create it, or give \`nats.subjects\` so Sluice creates it`,
      );
    }
    await jsm.streams.add({ name: config.stream, subjects: [...config.subjects] });
  }
  try {
    await jsm.consumers.info(config.stream, durable);
  } catch {
    await jsm.consumers.add(config.stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: nanos(ACK_WAIT_MS), max_ack_pending: 10_000 });
  }
}

async function land(message: JsMsg, stream: string, sink: EventSink, log: (line: string) => void): Promise<void> {
  const receivedAt = Date.now();
  // Not JSON, or over a limit: the sink lands it as rejected with the reason (redelivery could never fix it).
  const body = new TextDecoder('utf-8', { fatal: false }).decode(message.data);
  try {
    await sink(body, `nats:${stream}:${message.seq}`, receivedAt);
    message.ack();
  } catch (error) {
    log(
      `NATS ${stream} message ${message.seq} could not be landed (${error instanceof Error ? error.message : String(error)}); redelivered in ${NAK_DELAY_MS} ms`,
    );
    message.nak(NAK_DELAY_MS);
  }
}
