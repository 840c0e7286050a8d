// The system catalogs one connection sees: a private in-memory DuckDB holding pg_catalog and information_schema
// rows for the relations its principal may read, and nothing else (no data, no files, no network).
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from '../../engine/duckdb/duckdb-module.js';
import { CATALOG_TABLES, CATALOG_TYPES, CATALOG_VIEWS, INFO_SCHEMA, INFO_TABLES, PG_CATALOG_SCHEMA, catalogMacros } from './catalog-schema.js';
import { rewriteCatalogSql } from './catalog-sql.js';
import { PG_TYPES, pgTypeOf, type PgType } from './pg-types.js';
import { resultNames } from './result-names.js';
import type { CatalogRelation, WireResult } from './wire-result.js';

/** What a catalog is built from. */
export interface PgCatalogConfig {
  /** Database name clients connect to (current_database()). */
  database: string;
  user: string;
  /** version() answer. */
  version: string;
  relations: readonly CatalogRelation[];
}

/** Rows and time a catalog query may take. */
const CATALOG_MAX_ROWS = 10_000;
const CATALOG_TIMEOUT_MS = 10_000;

/** A catalog statement refused before or while it ran; the client gets a privilege error with this message. */
class CatalogQueryError extends Error {
  readonly code = 'QUERY_REFUSED';
}

const NAMESPACE_OIDS: Readonly<Record<string, number>> = { pg_catalog: 11, public: 2200, information_schema: 13183 };
const FIRST_OID = 16384;
const EXTRA_TYPES: readonly PgType[] = [
  { oid: 18, typname: 'char', name: '"char"', size: 1, typmod: -1 },
  { oid: 19, typname: 'name', name: 'name', size: 64, typmod: -1 },
  { oid: 26, typname: 'oid', name: 'oid', size: 4, typmod: -1 },
  { oid: 1043, typname: 'varchar', name: 'character varying', size: -1, typmod: -1 },
  { oid: 2205, typname: 'regclass', name: 'regclass', size: 4, typmod: -1 },
];

/**
 * One connection's catalog database.
 * @example const catalog = await PgCatalog.create({ database: 'flights', user: 'local', version: '15.0', relations }); await catalog.query('SELECT 1');
 */
export class PgCatalog {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async create(config: PgCatalogConfig): Promise<PgCatalog> {
    const instance = await duckdb.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const connection = await instance.connect();
    const catalog = new PgCatalog(instance, connection);
    try {
      await catalog.define(config);
      await catalog.fill(config);
      // From here on the connection only reads: no files, no network, and the settings cannot be turned back.
      await connection.run(`SET search_path = '${PG_CATALOG_SCHEMA},main'; SET enable_external_access = false; SET lock_configuration = true`);
    } catch (error) {
      catalog.close();
      throw error;
    }
    return catalog;
  }

  private async define(config: PgCatalogConfig): Promise<void> {
    const ddl = [`CREATE SCHEMA ${PG_CATALOG_SCHEMA}`, `CREATE SCHEMA ${INFO_SCHEMA}`];
    for (const [name, columns] of Object.entries(CATALOG_TABLES)) ddl.push(`CREATE TABLE ${PG_CATALOG_SCHEMA}.${name} (${columns})`);
    for (const [name, columns] of Object.entries(INFO_TABLES)) ddl.push(`CREATE TABLE ${INFO_SCHEMA}.${name} (${columns})`);
    for (const [name, base] of Object.entries(CATALOG_TYPES)) ddl.push(`CREATE TYPE ${PG_CATALOG_SCHEMA}.${name} AS ${base}`);
    for (const [name, body] of Object.entries(catalogMacros(config.database, config.user, config.version))) {
      ddl.push(`CREATE MACRO ${PG_CATALOG_SCHEMA}.${name}${body}`);
    }
    for (const [name, select] of Object.entries(CATALOG_VIEWS)) ddl.push(`CREATE VIEW ${PG_CATALOG_SCHEMA}.${name} AS ${select}`);
    await this.connection.run(ddl.join(';\n'));
  }

  private async insert(table: string, rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    const width = rows[0]!.length;
    const placeholders = rows.map((_, r) => `(${Array.from({ length: width }, (_c, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
    await this.connection.run(`INSERT INTO ${table} VALUES ${placeholders}`, rows.flat() as never);
  }

  private async fill(config: PgCatalogConfig): Promise<void> {
    const types = [...Object.values(PG_TYPES), ...EXTRA_TYPES];
    const c = PG_CATALOG_SCHEMA;
    // typname, namespace, len, byval, typtype, category, delim, input/output named after the type as PostgreSQL does.
    await this.insert(
      `${c}.pg_type (oid, typname, typnamespace, typowner, typlen, typbyval, typtype, typcategory, typisdefined, typdelim, typrelid, typelem, typarray, typinput, typoutput, typnotnull, typbasetype, typtypmod, typndims, typcollation)`,
      types.map((t) => [
        t.oid,
        t.typname,
        11,
        10,
        t.size,
        t.size > 0 && t.size <= 8,
        'b',
        'U',
        true,
        ',',
        0,
        0,
        0,
        `${t.typname}in`,
        `${t.typname}out`,
        false,
        0,
        -1,
        0,
        0,
      ]),
    );
    await this.insert(
      `${c}.sluice_type_names`,
      types.map((t) => [t.oid, t.name]),
    );
    await this.insert(`${c}.pg_am`, [[2, 'heap', 'heap_tableam_handler', 't']]);
    await this.insert(
      `${c}.pg_roles (oid, rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolconnlimit, rolbypassrls)`,
      [
        [10, 'sluice', false, true, false, false, false, false, -1, false],
        [16383, config.user, false, true, false, false, true, false, -1, false],
      ],
    );
    await this.insert(`${c}.pg_database (oid, datname, datdba, encoding, datlocprovider, datistemplate, datallowconn, datconnlimit, datcollate, datctype)`, [
      [16380, config.database, 10, 6, 'c', false, true, -1, 'C', 'C'],
    ]);
    await this.insert(
      `${c}.pg_settings (name, setting, category, short_desc, vartype, context, source)`,
      Object.entries(SETTINGS).map(([name, setting]) => [name, setting, 'Client Connection Defaults', '', 'string', 'user', 'default']),
    );

    const schemas = [...new Set(config.relations.map((r) => r.schema))].sort();
    const nspOid = new Map<string, number>(Object.entries(NAMESPACE_OIDS));
    schemas.forEach((schema, i) => nspOid.set(schema, FIRST_OID + i));
    await this.insert(
      `${c}.pg_namespace (oid, nspname, nspowner)`,
      [...nspOid].map(([name, oid]) => [oid, name, 10]),
    );
    await this.insert(
      `${INFO_SCHEMA}.schemata`,
      [...nspOid.keys()].map((name) => [config.database, name, 'sluice']),
    );

    let next = FIRST_OID + 1000;
    const classes: unknown[][] = [];
    const attributes: unknown[][] = [];
    const descriptions: unknown[][] = [];
    const tables: unknown[][] = [];
    const columns: unknown[][] = [];
    for (const relation of [...config.relations].sort((a, b) => `${a.schema}.${a.name}`.localeCompare(`${b.schema}.${b.name}`))) {
      const oid = next++;
      const kind = relation.kind === 'view' ? 'v' : 'r';
      classes.push([
        oid,
        relation.name,
        nspOid.get(relation.schema),
        0,
        0,
        10,
        kind === 'r' ? 2 : 0,
        0,
        0,
        0,
        -1,
        0,
        0,
        false,
        false,
        'p',
        kind,
        relation.columns.length,
        0,
        kind === 'v',
        false,
        false,
        false,
        false,
        true,
        'd',
        false,
        0,
        0,
        0,
      ]);
      if (relation.description) descriptions.push([oid, 1259, 0, relation.description]);
      tables.push([config.database, relation.schema, relation.name, kind === 'v' ? 'VIEW' : 'BASE TABLE', 'NO']);
      relation.columns.forEach((column, i) => {
        const type = pgTypeOf(column.type);
        attributes.push([
          oid,
          column.name,
          type.oid,
          -1,
          type.size,
          i + 1,
          0,
          -1,
          type.typmod,
          type.size > 0 && type.size <= 8,
          'i',
          'p',
          '',
          false,
          false,
          false,
          '',
          '',
          false,
          true,
          0,
          0,
        ]);
        const decimal = type.oid === PG_TYPES.numeric.oid && type.typmod > 0 ? [(type.typmod - 4) >> 16, (type.typmod - 4) & 0xffff] : [null, null];
        columns.push([
          config.database,
          relation.schema,
          relation.name,
          column.name,
          i + 1,
          null,
          'YES',
          type.name.replace(/\(.*\)$/, ''),
          null,
          ...decimal,
          null,
          config.database,
          'pg_catalog',
          type.typname,
        ]);
      });
    }
    await this.insert(
      `${c}.pg_class (oid, relname, relnamespace, reltype, reloftype, relowner, relam, relfilenode, reltablespace, relpages, reltuples, relallvisible, reltoastrelid, relhasindex, relisshared, relpersistence, relkind, relnatts, relchecks, relhasrules, relhastriggers, relhassubclass, relrowsecurity, relforcerowsecurity, relispopulated, relreplident, relispartition, relrewrite, relfrozenxid, relminmxid)`,
      classes,
    );
    await this.insert(
      `${c}.pg_attribute (attrelid, attname, atttypid, attstattarget, attlen, attnum, attndims, attcacheoff, atttypmod, attbyval, attalign, attstorage, attcompression, attnotnull, atthasdef, atthasmissing, attidentity, attgenerated, attisdropped, attislocal, attinhcount, attcollation)`,
      attributes,
    );
    await this.insert(`${c}.pg_description`, descriptions);
    await this.insert(`${INFO_SCHEMA}.tables`, tables);
    await this.insert(`${INFO_SCHEMA}.columns`, columns);
  }

  /**
   * Answers one catalog statement: PostgreSQL syntax rewritten, SELECT only, run here only, at most
   * {@link CATALOG_MAX_ROWS} rows within {@link CATALOG_TIMEOUT_MS} (a catalog answer is small; anything else is a mistake or an attack).
   * @example await catalog.query("SELECT relname FROM pg_catalog.pg_class WHERE relkind = 'r'")
   */
  async query(sql: string): Promise<WireResult> {
    const rewritten = rewriteCatalogSql(sql);
    const parsed = await this.connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [rewritten]);
    const tree = JSON.parse(String(parsed.getRowObjectsJS()[0]!.tree)) as { error?: boolean; error_message?: string };
    if (tree.error) throw new CatalogQueryError(`the catalog answers one SELECT at a time: ${tree.error_message ?? 'the statement is not one'}`);
    const timer = setTimeout(() => this.connection.interrupt(), CATALOG_TIMEOUT_MS);
    let reader;
    try {
      reader = await this.connection.runAndReadUntil(rewritten, CATALOG_MAX_ROWS + 1);
    } finally {
      clearTimeout(timer);
    }
    const rows = reader.getRows();
    if (rows.length > CATALOG_MAX_ROWS) throw new CatalogQueryError(`a catalog query may return at most ${CATALOG_MAX_ROWS} rows; narrow it`);
    const types = reader.columnTypes();
    const names = resultNames(tree, reader.columnNames());
    return { columns: names.map((name, i) => ({ name, type: String(types[i]) })), rows };
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Run-time settings SHOW and pg_settings answer with (the ones clients ask about). */
export const SETTINGS: Readonly<Record<string, string>> = {
  server_version: '15.0',
  server_version_num: '150000',
  server_encoding: 'UTF8',
  client_encoding: 'UTF8',
  DateStyle: 'ISO, MDY',
  IntervalStyle: 'postgres',
  TimeZone: 'UTC',
  integer_datetimes: 'on',
  standard_conforming_strings: 'on',
  search_path: '"$user", public',
  transaction_isolation: 'read committed',
  default_transaction_read_only: 'on',
  transaction_read_only: 'on',
  max_identifier_length: '63',
  lc_collate: 'C',
  lc_ctype: 'C',
  extra_float_digits: '1',
};
