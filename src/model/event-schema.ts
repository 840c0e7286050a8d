// The shape an event sensor declares for its events: checked at the door, before an event is acknowledged.
import { SluiceError } from '../errors.js';

/** Types an event field may be declared with (JSON values; `timestamp` and `date` are strings DuckDB casts exactly). */
export type EventFieldType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp' | 'date';

/** One declared field: a type, and whether the event is refused without it. */
export interface EventFieldSchema {
  type: EventFieldType;
  /** Missing or null quarantines the event (default false: the field may be absent or null). */
  required?: boolean;
}

/**
 * What every event of a source must look like. Fields not declared pass through untouched.
 * @example
 * const flights: EventSchema = { id: 'event_id', idType: 'integer', fields: { date: { type: 'timestamp', required: true }, delay: 'integer' } };
 */
export interface EventSchema {
  /** The field that identifies an event; a re-sent id is the same event, a known id with new content a correction (default `event_id`). */
  id?: string;
  /** `integer` (default): a JSON integer literal, kept exact (|id| <= 2^53 - 1, no fraction, no exponent); `string`: a non-empty JSON string. */
  idType?: 'integer' | 'string';
  /** Declared fields: a type (optional field), or `{ type, required }`. */
  fields?: Readonly<Record<string, EventFieldType | EventFieldSchema>>;
}

/** A schema with every default filled in. */
export interface ResolvedEventSchema {
  id: string;
  idType: 'integer' | 'string';
  fields: readonly (EventFieldSchema & { name: string })[];
}

const FIELD_TYPES: readonly EventFieldType[] = ['string', 'integer', 'number', 'boolean', 'timestamp', 'date'];

/**
 * Fills in the defaults and checks the declaration, naming the sensor and the fix.
 * @example resolveEventSchema({ fields: { date: 'timestamp' } }, 'flight_events') // { id: 'event_id', idType: 'integer', fields: [...] }
 */
export function resolveEventSchema(schema: EventSchema | undefined, sensorName: string): ResolvedEventSchema {
  const id = schema?.id ?? 'event_id';
  const idType = schema?.idType ?? 'integer';
  const where = `sensor "${sensorName}": event`;
  if (typeof id !== 'string' || id.length === 0)
    throw new SluiceError('INVALID_CONFIG', `${where}.id must be the name of the field that identifies an event, e.g. 'event_id'`);
  if (idType !== 'integer' && idType !== 'string')
    throw new SluiceError('INVALID_CONFIG', `${where}.idType must be 'integer' or 'string', got ${JSON.stringify(idType)}`);
  const fields = Object.entries(schema?.fields ?? {}).map(([name, spec]) => {
    const field = typeof spec === 'string' ? { type: spec } : spec;
    if (!FIELD_TYPES.includes(field?.type))
      throw new SluiceError('INVALID_CONFIG', `${where}.fields.${name} has type ${JSON.stringify(field?.type)}; use one of ${FIELD_TYPES.join(', ')}`);
    if (name === id) throw new SluiceError('INVALID_CONFIG', `${where}.fields.${name} is the id field; declare its type with event.idType instead`);
    return { name, type: field.type, required: field.required === true };
  });
  return { id, idType, fields };
}
