// Splits a request body into events without trusting it: limits on size, count, depth and string length, raw text kept exact.
import { SluiceError } from '../errors.js';

/** Limits on what one request (or broker message) may carry. */
export interface EventBodyLimits {
  /** Bytes of the whole body (checked while it streams in, before parsing). */
  maxBodyBytes: number;
  /** Events in one body. */
  maxEvents: number;
  /** Nesting levels inside one event (the event object itself is level 1). */
  maxDepth: number;
  /** Characters of one string (key or value) inside an event. */
  maxStringLength: number;
}

/** The defaults: far above what a real event needs, far below what hurts the server. */
export const DEFAULT_EVENT_LIMITS: Readonly<EventBodyLimits> = { maxBodyBytes: 8 * 1024 * 1024, maxEvents: 10_000, maxDepth: 32, maxStringLength: 65_536 };

/** One event as sent: its exact JSON text, its parsed value, and what made it unusable (if anything). */
export interface RawEvent {
  /** The event's JSON text exactly as sent (numbers keep every digit). */
  raw: string;
  value: unknown;
  /** Raw JSON text of each top-level member when the event is an object (the last one wins, as in JSON.parse). */
  members: ReadonlyMap<string, string>;
  /** Set when the text cannot be stored as Unicode (a lone surrogate escape such as `\ud800`). */
  problem?: string;
}

/** A body refused as a whole: 400 (malformed) or 413 (over a size limit), with what to change. */
export class EventBodyError extends SluiceError {
  constructor(
    readonly status: 400 | 413,
    readonly limit: keyof EventBodyLimits | 'json' | 'shape',
    message: string,
  ) {
    super('SOURCE_ERROR', message);
    this.name = 'EventBodyError';
  }
}

/**
 * Parses a body: a JSON array of events, `{"events": [...]}`, or one event object. Throws EventBodyError
 * for malformed JSON or a limit exceeded (naming the event and the limit); problems that concern only one
 * event's content (a lone surrogate) are reported on that event so its neighbours still land.
 * @example parseEventBody('[{"event_id": 1}]', DEFAULT_EVENT_LIMITS)[0]!.members.get('event_id') // '1'
 */
export function parseEventBody(text: string, limits: EventBodyLimits = DEFAULT_EVENT_LIMITS): RawEvent[] {
  const scanner = new Scanner(text, limits);
  const events = scanner.body();
  return events.map(({ start, end, members, problem }) => {
    const raw = text.slice(start, end);
    return {
      raw,
      value: JSON.parse(raw) as unknown,
      members: new Map([...members].map(([k, [s, e]]) => [k, text.slice(s, e)])),
      ...(problem ? { problem } : {}),
    };
  });
}

interface Span {
  start: number;
  end: number;
  members: Map<string, [number, number]>;
  problem?: string;
}

/** A validating JSON scanner: it builds nothing, it only finds where each event starts and ends and checks the limits. */
class Scanner {
  private pos = 0;
  /** Index of the event being scanned, for messages. */
  private event = 0;
  private problem: string | undefined;

  constructor(
    private readonly text: string,
    private readonly limits: EventBodyLimits,
  ) {}

  body(): Span[] {
    this.ws();
    const events: Span[] = [];
    const first = this.text[this.pos];
    if (first === '[') {
      this.list(events);
    } else if (first === '{') {
      // `{"events": [...]}` is a wrapper; any other object is one event.
      const start = this.pos;
      const wrapped = this.wrapper(events);
      if (!wrapped) {
        this.pos = start;
        events.length = 0;
        events.push(this.eventAt());
      }
    } else {
      this.fail(`expected a JSON array of event objects, {"events": [...]} or one event object`);
    }
    this.ws();
    if (this.pos < this.text.length) this.fail('unexpected text after the JSON value');
    return events;
  }

  /** `{"events": [...]}` and nothing else: true when the body was that wrapper. */
  private wrapper(events: Span[]): boolean {
    this.pos++;
    this.ws();
    if (this.text[this.pos] !== '"') return false;
    const key = this.string();
    this.ws();
    if (this.text.slice(key.start + 1, key.end - 1) !== 'events' || this.text[this.pos] !== ':') return false;
    this.pos++;
    this.ws();
    if (this.text[this.pos] !== '[') return false;
    this.list(events);
    this.ws();
    if (this.text[this.pos] !== '}') return false;
    this.pos++;
    return true;
  }

  private list(events: Span[]): void {
    this.pos++;
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      if (events.length >= this.limits.maxEvents) {
        throw new EventBodyError(
          413,
          'maxEvents',
          `more than ${this.limits.maxEvents} events in one request (the limit); split the batch into requests of at most ${this.limits.maxEvents} events`,
        );
      }
      this.event = events.length;
      events.push(this.eventAt());
      this.ws();
      const c = this.text[this.pos++];
      if (c === ']') return;
      if (c !== ',') this.fail(`expected "," or "]" after event ${events.length - 1}`, -1);
      this.ws();
    }
  }

  private eventAt(): Span {
    this.problem = undefined;
    const start = this.pos;
    const members = new Map<string, [number, number]>();
    if (this.text[this.pos] === '{') this.object(1, members);
    else this.value(1);
    return { start, end: this.pos, members, ...(this.problem ? { problem: this.problem } : {}) };
  }

  private value(depth: number): void {
    const c = this.text[this.pos];
    if (c === '{') this.object(depth, undefined);
    else if (c === '[') this.array(depth);
    else if (c === '"') this.string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) this.number();
    else if (this.text.startsWith('true', this.pos)) this.pos += 4;
    else if (this.text.startsWith('false', this.pos)) this.pos += 5;
    else if (this.text.startsWith('null', this.pos)) this.pos += 4;
    else this.fail(c === undefined ? 'the body ends in the middle of a value' : `unexpected ${JSON.stringify(c)}`);
  }

  private deeper(depth: number): void {
    if (depth > this.limits.maxDepth) {
      throw new EventBodyError(
        400,
        'maxDepth',
        `event ${this.event} is nested more than ${this.limits.maxDepth} levels deep (the limit); send events as flat objects with few levels of nesting`,
      );
    }
  }

  private object(depth: number, members: Map<string, [number, number]> | undefined): void {
    this.deeper(depth);
    this.pos++;
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('expected a member name in double quotes');
      const key = this.string();
      this.ws();
      if (this.text[this.pos++] !== ':') this.fail('expected ":" after a member name', -1);
      this.ws();
      const start = this.pos;
      this.value(depth + 1);
      // Only plain names are looked up later (the id, declared fields); escaped names are rare and skipped.
      if (members && !this.text.slice(key.start, key.end).includes('\\')) members.set(this.text.slice(key.start + 1, key.end - 1), [start, this.pos]);
      this.ws();
      const c = this.text[this.pos++];
      if (c === '}') return;
      if (c !== ',') this.fail('expected "," or "}" in an object', -1);
      this.ws();
    }
  }

  private array(depth: number): void {
    this.deeper(depth);
    this.pos++;
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.value(depth + 1);
      this.ws();
      const c = this.text[this.pos++];
      if (c === ']') return;
      if (c !== ',') this.fail('expected "," or "]" in an array', -1);
      this.ws();
    }
  }

  /** Scans a string; its length counts characters after unescaping. A lone surrogate marks the event, not the body. */
  private string(): { start: number; end: number } {
    const start = this.pos++;
    const text = this.text;
    let length = 0;
    let pendingHigh = false;
    for (;;) {
      const code = text.charCodeAt(this.pos);
      if (Number.isNaN(code)) this.fail('the body ends inside a string');
      if (code === 0x22) break;
      if (code < 0x20) this.fail('a control character inside a string must be escaped (\\n, \\t, \\u0000...)');
      let unit = code;
      if (code === 0x5c) {
        const e = text[this.pos + 1];
        if (e === 'u') {
          const hex = text.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape in a string (four hex digits expected)');
          unit = parseInt(hex, 16);
          this.pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          unit = 0x20;
          this.pos += 2;
        } else {
          this.fail(`invalid escape \\${e ?? ''} in a string`);
        }
      } else {
        this.pos++;
      }
      if (unit >= 0xd800 && unit <= 0xdbff) {
        if (pendingHigh) this.loneSurrogate();
        pendingHigh = true;
      } else {
        if (pendingHigh !== (unit >= 0xdc00 && unit <= 0xdfff)) this.loneSurrogate();
        pendingHigh = false;
      }
      length++;
      if (length > this.limits.maxStringLength) {
        throw new EventBodyError(
          400,
          'maxStringLength',
          `event ${this.event} has a string longer than ${this.limits.maxStringLength} characters (the limit); shorten it, or store large content elsewhere and send a reference`,
        );
      }
    }
    if (pendingHigh) this.loneSurrogate();
    this.pos++;
    return { start, end: this.pos };
  }

  private loneSurrogate(): void {
    this.problem ??= 'a string holds a lone UTF-16 surrogate (e.g. "\\ud800"), which is not Unicode text; send valid UTF-8 text';
  }

  private number(): void {
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = this.pos;
    if (!match.test(this.text) || match.lastIndex === this.pos || this.text[match.lastIndex - 1] === '-') this.fail('invalid number');
    this.pos = match.lastIndex;
  }

  private ws(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private fail(what: string, offset = 0): never {
    const at = Math.max(0, this.pos + offset);
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new EventBodyError(400, 'json', `the body is not valid JSON: ${what} at line ${line}, column ${column}; send a JSON array of event objects`);
  }
}
