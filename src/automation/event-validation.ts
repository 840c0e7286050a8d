// Checks one event against its source's declared schema: the reasons it cannot be accepted, empty when it can.
import type { EventFieldType, ResolvedEventSchema } from '../model/event-schema.js';
import type { RawEvent } from './event-body.js';

/** A JSON integer literal: no fraction, no exponent, no leading zeros. */
const INTEGER_LITERAL = /^-?(?:0|[1-9][0-9]*)$/;
/** `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (a `T` may separate date and time); no zone: timestamps are UTC. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Longest string id: ids are keys, not content. */
const MAX_STRING_ID = 256;

/**
 * Why `event` cannot be accepted under `schema` (at most one reason per field), or an empty list.
 * @example validateEvent(parseEventBody('[{"event_id": 1.5}]')[0]!, resolveEventSchema(undefined, 's')) // ['event_id must be ...']
 */
export function validateEvent(event: RawEvent, schema: ResolvedEventSchema): string[] {
  const { value } = event;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`an event must be a JSON object with "${schema.id}", got ${describe(value)}`];
  }
  const reasons: string[] = [];
  if (event.problem) reasons.push(event.problem);
  const idReason = checkId(event, schema);
  if (idReason) reasons.push(idReason);
  const record = value as Record<string, unknown>;
  for (const field of schema.fields) {
    const v = record[field.name];
    if (v === undefined || v === null) {
      if (field.required) reasons.push(`${field.name} is required (${field.type}) but ${v === null ? 'null' : 'missing'}`);
      continue;
    }
    const problem = checkType(v, field.type, event.members.get(field.name));
    if (problem) reasons.push(`${field.name} ${problem}`);
  }
  return reasons;
}

function checkId(event: RawEvent, schema: ResolvedEventSchema): string | undefined {
  const id = (event.value as Record<string, unknown>)[schema.id];
  const raw = event.members.get(schema.id);
  if (id === undefined || id === null) {
    const keys = Object.keys(event.value as object);
    const hint =
      keys.length === 1 && Array.isArray((event.value as Record<string, unknown>)[keys[0]!])
        ? `; to send several events, send the array itself (or {"events": [...]}), not {"${keys[0]}": [...]}`
        : '';
    return `${schema.id} (the event id) is ${id === null ? 'null' : 'missing'}${hint}`;
  }
  if (schema.idType === 'string') {
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_STRING_ID)
      return `${schema.id} must be a non-empty JSON string of at most ${MAX_STRING_ID} characters, got ${describe(id)}`;
    return undefined;
  }
  if (typeof id !== 'number' || raw === undefined || !INTEGER_LITERAL.test(raw) || !Number.isSafeInteger(id)) {
    return `${schema.id} must be a JSON integer between -9007199254740991 and 9007199254740991 written without fraction or exponent (ids are kept exact, never rounded), got ${raw !== undefined && raw.length <= 40 ? raw : describe(id)}`;
  }
  return undefined;
}

function checkType(v: unknown, type: EventFieldType, raw: string | undefined): string | undefined {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? undefined : `must be a string, got ${describe(v)}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `must be true or false, got ${describe(v)}`;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : `must be a finite number, got ${raw && raw.length <= 40 ? raw : describe(v)}`;
    case 'integer':
      return typeof v === 'number' && Number.isSafeInteger(v) && raw !== undefined && INTEGER_LITERAL.test(raw)
        ? undefined
        : `must be a JSON integer (no fraction, |n| <= 9007199254740991), got ${raw && raw.length <= 40 ? raw : describe(v)}`;
    case 'timestamp':
      return typeof v === 'string' && validCalendar(TIMESTAMP.exec(v))
        ? undefined
        : `must be a timestamp "YYYY-MM-DD HH:MM:SS" (UTC, a real date and time), got ${describe(v)}`;
    case 'date':
      return typeof v === 'string' && validCalendar(DATE.exec(v)) ? undefined : `must be a date "YYYY-MM-DD" (a real date), got ${describe(v)}`;
  }
}

/** The matched parts name a day that exists and a time of day below 24:00. */
function validCalendar(match: RegExpExecArray | null): boolean {
  if (!match) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  if (month! < 1 || month! > 12 || day! < 1 || hour > 23 || minute > 59 || second > 59) return false;
  return day! <= new Date(Date.UTC(year!, month!, 0)).getUTCDate();
}

/** A short, safe rendering of a value for a reason. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return String(value);
}
