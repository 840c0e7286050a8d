// The PostgreSQL system catalogs that psql and BI tools read, as DuckDB tables and macros. They live in the
// schemas `pgcat` (pg_catalog) and `pginfo` (information_schema) of a private in-memory database.

/** Schema standing in for pg_catalog (DuckDB reserves that name for its own, partial views). */
export const PG_CATALOG_SCHEMA = 'pgcat';
/** Schema standing in for information_schema. */
export const INFO_SCHEMA = 'pginfo';

const I = 'BIGINT';
const S = 'VARCHAR';
const B = 'BOOLEAN';

/** Catalog tables: name -> column definitions. Sluice fills the first group; the rest stay empty (no such objects). */
export const CATALOG_TABLES: Readonly<Record<string, string>> = {
  pg_namespace: `oid ${I}, nspname ${S}, nspowner ${I}, nspacl ${S}[]`,
  pg_class: `oid ${I}, relname ${S}, relnamespace ${I}, reltype ${I}, reloftype ${I}, relowner ${I}, relam ${I}, relfilenode ${I},
    reltablespace ${I}, relpages INTEGER, reltuples REAL, relallvisible INTEGER, reltoastrelid ${I}, relhasindex ${B}, relisshared ${B},
    relpersistence ${S}, relkind ${S}, relnatts SMALLINT, relchecks SMALLINT, relhasrules ${B}, relhastriggers ${B}, relhassubclass ${B},
    relrowsecurity ${B}, relforcerowsecurity ${B}, relispopulated ${B}, relreplident ${S}, relispartition ${B}, relrewrite ${I},
    relfrozenxid ${I}, relminmxid ${I}, relacl ${S}[], reloptions ${S}[], relpartbound ${S}`,
  pg_attribute: `attrelid ${I}, attname ${S}, atttypid ${I}, attstattarget INTEGER, attlen SMALLINT, attnum SMALLINT, attndims INTEGER,
    attcacheoff INTEGER, atttypmod INTEGER, attbyval ${B}, attalign ${S}, attstorage ${S}, attcompression ${S}, attnotnull ${B},
    atthasdef ${B}, atthasmissing ${B}, attidentity ${S}, attgenerated ${S}, attisdropped ${B}, attislocal ${B}, attinhcount INTEGER,
    attcollation ${I}, attacl ${S}[], attoptions ${S}[], attfdwoptions ${S}[]`,
  pg_type: `oid ${I}, typname ${S}, typnamespace ${I}, typowner ${I}, typlen SMALLINT, typbyval ${B}, typtype ${S}, typcategory ${S},
    typispreferred ${B}, typisdefined ${B}, typdelim ${S}, typrelid ${I}, typsubscript ${S}, typelem ${I}, typarray ${I}, typinput ${S},
    typoutput ${S}, typreceive ${S}, typsend ${S}, typmodin ${S}, typmodout ${S}, typanalyze ${S}, typalign ${S}, typstorage ${S},
    typnotnull ${B}, typbasetype ${I}, typtypmod INTEGER, typndims INTEGER, typcollation ${I}, typdefault ${S}, typacl ${S}[]`,
  pg_description: `objoid ${I}, classoid ${I}, objsubid INTEGER, description ${S}`,
  pg_database: `oid ${I}, datname ${S}, datdba ${I}, encoding INTEGER, datlocprovider ${S}, datistemplate ${B}, datallowconn ${B},
    datconnlimit INTEGER, datcollate ${S}, datctype ${S}, daticulocale ${S}, datacl ${S}[]`,
  pg_roles: `oid ${I}, rolname ${S}, rolsuper ${B}, rolinherit ${B}, rolcreaterole ${B}, rolcreatedb ${B}, rolcanlogin ${B},
    rolreplication ${B}, rolconnlimit INTEGER, rolvaliduntil TIMESTAMP WITH TIME ZONE, rolbypassrls ${B}, rolconfig ${S}[]`,
  pg_am: `oid ${I}, amname ${S}, amhandler ${S}, amtype ${S}`,
  pg_settings: `name ${S}, setting ${S}, unit ${S}, category ${S}, short_desc ${S}, vartype ${S}, context ${S}, source ${S}`,
  pg_attrdef: `oid ${I}, adrelid ${I}, adnum SMALLINT, adbin ${S}`,
  pg_collation: `oid ${I}, collname ${S}, collnamespace ${I}, collprovider ${S}`,
  pg_policy: `oid ${I}, polname ${S}, polrelid ${I}, polcmd ${S}, polpermissive ${B}, polroles ${I}[], polqual ${S}, polwithcheck ${S}`,
  pg_statistic_ext: `oid ${I}, stxrelid ${I}, stxname ${S}, stxnamespace ${I}, stxowner ${I}, stxstattarget INTEGER, stxkeys SMALLINT[], stxkind ${S}[]`,
  pg_publication: `oid ${I}, pubname ${S}, pubowner ${I}, puballtables ${B}, pubinsert ${B}, pubupdate ${B}, pubdelete ${B}, pubtruncate ${B}, pubviaroot ${B}`,
  pg_publication_namespace: `oid ${I}, pnpubid ${I}, pnnspid ${I}`,
  pg_publication_rel: `oid ${I}, prpubid ${I}, prrelid ${I}, prqual ${S}, prattrs SMALLINT[]`,
  pg_inherits: `inhrelid ${I}, inhparent ${I}, inhseqno INTEGER, inhdetachpending ${B}`,
  pg_index: `indexrelid ${I}, indrelid ${I}, indnatts SMALLINT, indisunique ${B}, indisprimary ${B}, indisexclusion ${B}, indimmediate ${B},
    indisclustered ${B}, indisvalid ${B}, indisready ${B}, indislive ${B}, indisreplident ${B}, indkey SMALLINT[], indexprs ${S}, indpred ${S}`,
  pg_constraint: `oid ${I}, conname ${S}, connamespace ${I}, contype ${S}, condeferrable ${B}, condeferred ${B}, convalidated ${B}, conrelid ${I},
    contypid ${I}, conindid ${I}, conparentid ${I}, confrelid ${I}, conkey SMALLINT[], confkey SMALLINT[], conislocal ${B}, coninhcount INTEGER`,
  pg_trigger: `oid ${I}, tgrelid ${I}, tgparentid ${I}, tgname ${S}, tgfoid ${I}, tgtype SMALLINT, tgenabled ${S}, tgisinternal ${B}`,
  pg_rewrite: `oid ${I}, rulename ${S}, ev_class ${I}, ev_type ${S}, ev_enabled ${S}, is_instead ${B}, ev_qual ${S}, ev_action ${S}`,
  pg_proc: `oid ${I}, proname ${S}, pronamespace ${I}, proowner ${I}, prokind ${S}, prorettype ${I}, proargtypes ${S}, prosrc ${S}`,
  pg_auth_members: `roleid ${I}, member ${I}, grantor ${I}, admin_option ${B}`,
  pg_enum: `oid ${I}, enumtypid ${I}, enumsortorder REAL, enumlabel ${S}`,
  pg_tablespace: `oid ${I}, spcname ${S}, spcowner ${I}`,
  pg_extension: `oid ${I}, extname ${S}, extowner ${I}, extnamespace ${I}, extversion ${S}`,
  pg_event_trigger: `oid ${I}, evtname ${S}, evtevent ${S}, evtenabled ${S}`,
  pg_foreign_table: `ftrelid ${I}, ftserver ${I}, ftoptions ${S}[]`,
  pg_matviews: `schemaname ${S}, matviewname ${S}, matviewowner ${S}, definition ${S}`,
  // Sluice's own: the display name of each type, for format_type().
  sluice_type_names: `oid ${I}, name ${S}`,
};

/** information_schema tables: name -> column definitions. */
export const INFO_TABLES: Readonly<Record<string, string>> = {
  schemata: `catalog_name ${S}, schema_name ${S}, schema_owner ${S}`,
  tables: `table_catalog ${S}, table_schema ${S}, table_name ${S}, table_type ${S}, is_insertable_into ${S}`,
  views: `table_catalog ${S}, table_schema ${S}, table_name ${S}, view_definition ${S}`,
  columns: `table_catalog ${S}, table_schema ${S}, table_name ${S}, column_name ${S}, ordinal_position INTEGER, column_default ${S},
    is_nullable ${S}, data_type ${S}, character_maximum_length INTEGER, numeric_precision INTEGER, numeric_scale INTEGER,
    datetime_precision INTEGER, udt_catalog ${S}, udt_schema ${S}, udt_name ${S}`,
};

/** Views PostgreSQL defines over its catalogs, defined the same way here. */
export const CATALOG_VIEWS: Readonly<Record<string, string>> = {
  pg_tables: `SELECT n.nspname AS schemaname, c.relname AS tablename, 'sluice' AS tableowner, NULL::VARCHAR AS tablespace,
    false AS hasindexes, false AS hasrules, false AS hastriggers, false AS rowsecurity
    FROM pgcat.pg_class c JOIN pgcat.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'`,
  pg_views: `SELECT n.nspname AS schemaname, c.relname AS viewname, 'sluice' AS viewowner, NULL::VARCHAR AS definition
    FROM pgcat.pg_class c JOIN pgcat.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v'`,
  pg_user: `SELECT rolname AS usename, oid AS usesysid, rolcreatedb AS usecreatedb, rolsuper AS usesuper FROM pgcat.pg_roles`,
  pg_authid: `SELECT * FROM pgcat.pg_roles`,
};

/** Catalog functions: name -> DuckDB macro body (overloads separated by commas, as CREATE MACRO takes them). */
export function catalogMacros(database: string, user: string, version: string): Record<string, string> {
  const lit = (text: string): string => `'${text.replaceAll("'", "''")}'`;
  const typeName = `(SELECT name FROM pgcat.sluice_type_names WHERE oid = t)`;
  return {
    version: `() AS ${lit(version)}`,
    current_database: `() AS ${lit(database)}`,
    current_catalog: `() AS ${lit(database)}`,
    current_schema: `() AS 'public'`,
    current_schemas: `(implicit) AS ['public']`,
    session_user: `() AS ${lit(user)}`,
    pg_get_userbyid: `(id) AS 'sluice'`,
    pg_table_is_visible: `(id) AS true`,
    pg_type_is_visible: `(id) AS true`,
    pg_function_is_visible: `(id) AS true`,
    format_type: `(t, m) AS CASE WHEN t = 1700 AND m > 4 THEN 'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')' ELSE ${typeName} END`,
    pg_get_expr: `(e, r) AS e, (e, r, pretty) AS e`,
    pg_get_indexdef: `(i) AS NULL::VARCHAR, (i, c, pretty) AS NULL::VARCHAR`,
    pg_get_constraintdef: `(c) AS NULL::VARCHAR, (c, pretty) AS NULL::VARCHAR`,
    pg_get_viewdef: `(v) AS NULL::VARCHAR, (v, pretty) AS NULL::VARCHAR`,
    pg_get_ruledef: `(r) AS NULL::VARCHAR, (r, pretty) AS NULL::VARCHAR`,
    pg_get_triggerdef: `(t) AS NULL::VARCHAR, (t, pretty) AS NULL::VARCHAR`,
    pg_get_statisticsobjdef_columns: `(s) AS NULL::VARCHAR`,
    pg_get_function_result: `(f) AS NULL::VARCHAR`,
    pg_get_function_arguments: `(f) AS NULL::VARCHAR`,
    pg_get_function_identity_arguments: `(f) AS NULL::VARCHAR`,
    pg_relation_is_publishable: `(r) AS false`,
    pg_encoding_to_char: `(e) AS 'UTF8'`,
    pg_backend_pid: `() AS 0`,
    pg_is_in_recovery: `() AS false`,
    pg_relation_size: `(r) AS NULL::BIGINT, (r, fork) AS NULL::BIGINT`,
    pg_total_relation_size: `(r) AS NULL::BIGINT`,
    pg_table_size: `(r) AS NULL::BIGINT`,
    obj_description: `(o) AS (SELECT description FROM pgcat.pg_description WHERE objoid = o AND objsubid = 0 LIMIT 1),
      (o, catalog) AS (SELECT description FROM pgcat.pg_description WHERE objoid = o AND objsubid = 0 LIMIT 1)`,
    col_description: `(o, n) AS (SELECT description FROM pgcat.pg_description WHERE objoid = o AND objsubid = n LIMIT 1)`,
    shobj_description: `(o, catalog) AS NULL::VARCHAR`,
    has_table_privilege: `(a, b) AS true, (a, b, c) AS true`,
    has_schema_privilege: `(a, b) AS true, (a, b, c) AS true`,
    has_database_privilege: `(a, b) AS true, (a, b, c) AS true`,
    has_column_privilege: `(a, b, c) AS true, (a, b, c, d) AS true`,
    array_upper: `(a, d) AS len(a)`,
    array_lower: `(a, d) AS 1`,
    quote_ident: `(s) AS CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') THEN s ELSE '"' || replace(s, '"', '""') || '"' END`,
  };
}

/** Type names casts use (`::regclass`, `::name`) -> the DuckDB type standing in for them (OIDs stay numbers). */
export const CATALOG_TYPES: Readonly<Record<string, string>> = {
  regclass: I,
  regtype: I,
  regnamespace: I,
  regproc: I,
  regprocedure: I,
  regrole: I,
  xid: I,
  name: S,
  int2vector: S,
  oidvector: S,
};
