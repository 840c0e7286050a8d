// Narrows any API answer to what a principal may read: hidden assets are omitted, never shown as placeholders.
import type { Principal } from '../principal.js';
import { mayRead, readsEverything } from '../principal.js';

/** What stands where a hidden asset's key was mentioned in free text (SQL, messages, lineage notes). */
export const RESTRICTED = '[restricted]';

/** `schema/name`, `schema.name` or `"schema"."name"` (and a `.column` after it): how an asset appears in text. */
const MENTION = /"?([A-Za-z_][A-Za-z0-9_]*)"?\s*[./]\s*"?([A-Za-z_][A-Za-z0-9_]*)"?(?:\."?[A-Za-z_][A-Za-z0-9_]*"?)?/g;

/** Fields holding SQL: SQL that reads a hidden asset names its columns bare, so it is withheld whole. */
const SQL_FIELDS: ReadonlySet<string> = new Set(['sql', 'sqlText', 'query', 'compiledSql']);

/** What stands instead of SQL that reads a hidden asset. */
export const RESTRICTED_SQL = '-- restricted: this SQL reads assets you may not see';

/**
 * Fields whose string value names an asset, or starts with one (`schema.table.column` ids of column lineage):
 * an object carrying a hidden one is omitted.
 */
const KEY_FIELDS = ['key', 'assetKey', 'asset', 'table', 'id', 'from', 'to', 'source', 'target'] as const;

/** The asset key a string starts with, if it starts like one. */
const LEADING_KEY = /^"?([A-Za-z_][A-Za-z0-9_]*)"?\s*[./]\s*"?([A-Za-z_][A-Za-z0-9_]*)"?(?:$|[./ ])/;

/**
 * The assets a principal may not read, and the scrubbing of answers that follows from it. Hidden assets are
 * omitted (not replaced by a placeholder): a placeholder would still tell how many assets exist and where
 * they sit in the graph. Objects about a hidden asset are dropped, lists of keys lose hidden keys, record
 * entries keyed by a hidden key go, and any text mentioning a hidden key has the mention replaced.
 * @example
 * const view = AssetVisibility.of(viewer, graph.keys());
 * const body = view.scrub({ nodes, edges }); // hidden nodes and every edge touching one are gone
 */
export class AssetVisibility {
  private constructor(readonly hidden: ReadonlySet<string>) {}

  /** The visibility of `principal` over `keys` (every asset of the project). */
  static of(principal: Principal, keys: Iterable<string>): AssetVisibility {
    if (readsEverything(principal)) return new AssetVisibility(new Set());
    return new AssetVisibility(new Set([...keys].filter((key) => !mayRead(principal, key))));
  }

  /** A visibility that hides exactly these keys (e.g. what a server left out of its answer to this caller). */
  static hiding(keys: Iterable<string>): AssetVisibility {
    return new AssetVisibility(new Set([...keys].map((key) => key.replace('.', '/').toLowerCase())));
  }

  /** Whether nothing is hidden (then answers pass untouched). */
  get everything(): boolean {
    return this.hidden.size === 0;
  }

  /** Whether the asset with this key (any spelling: `a/b`, `a.b`, any case) is hidden. */
  isHidden(key: string): boolean {
    return this.hidden.has(key.replace('.', '/').toLowerCase());
  }

  /** Replaces every mention of a hidden key in text. */
  scrubText(text: string): string {
    if (this.everything) return text;
    return text.replace(MENTION, (match, schema: string, name: string) => (this.hidden.has(`${schema}/${name}`.toLowerCase()) ? RESTRICTED : match));
  }

  /** Whether an object is about a hidden asset (an asset, a node, an edge, an event or check of one). */
  private aboutHidden(value: Record<string, unknown>): boolean {
    if (KEY_FIELDS.some((field) => typeof value[field] === 'string' && this.startsWithHidden(value[field] as string))) return true;
    // A run whose every asset is hidden tells nothing the principal may know.
    const keys = value['assetKeys'];
    return Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === 'string' && this.isHidden(k));
  }

  /**
   * A copy of a JSON value with everything about hidden assets removed; `undefined` when the value itself is
   * about a hidden asset (a whole SSE event, say).
   */
  scrub(value: unknown): unknown {
    if (this.everything) return value;
    return this.walk(value);
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.scrubText(value);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const item of value) {
        // A hidden key, or a path under one (`clean.orders.margin_secret (sum)` in column lineage), goes whole.
        if (typeof item === 'string' && this.startsWithHidden(item)) continue;
        const scrubbed = this.walk(item);
        if (scrubbed !== undefined) out.push(scrubbed);
      }
      return out;
    }
    if (value === null || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    if (this.aboutHidden(record)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [field, item] of Object.entries(record)) {
      if (this.isHiddenKeyString(field)) continue;
      if (SQL_FIELDS.has(field) && typeof item === 'string' && this.scrubText(item) !== item) {
        out[field] = RESTRICTED_SQL;
        continue;
      }
      const scrubbed = this.walk(item);
      // A nested object about a hidden asset (a run's `asset`, say) becomes null rather than vanishing, keeping the shape.
      out[this.scrubText(field)] = scrubbed === undefined ? null : scrubbed;
    }
    return out;
  }

  /** Whether a string is a hidden asset key, or a column or other path under one. */
  private startsWithHidden(text: string): boolean {
    const match = LEADING_KEY.exec(text);
    return match !== null && this.hidden.has(`${match[1]}/${match[2]}`.toLowerCase());
  }

  /** Whether a string is exactly a hidden asset key (an element of `deps`, `assetKeys`, `failed`...). */
  private isHiddenKeyString(text: string): boolean {
    return /^[A-Za-z_][A-Za-z0-9_]*[./][A-Za-z_][A-Za-z0-9_]*$/.test(text) && this.isHidden(text);
  }
}
