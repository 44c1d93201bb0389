import { POSTGRES_EXTENSIONS } from '../../specs/environment.ts';

type ExtensionName = (typeof POSTGRES_EXTENSIONS)[number];

/**
 * The spec's extension names (the schema admits only POSTGRES_EXTENSIONS) to what CREATE EXTENSION takes:
 * pgvector's extension is `vector`; auto_explain is a module loaded by shared_preload_libraries, not an extension.
 */
const CREATE_AS: Record<ExtensionName, string | undefined> = {
  pg_stat_statements: 'pg_stat_statements', pgvector: 'vector', postgis: 'postgis', pg_trgm: 'pg_trgm', hstore: 'hstore',
  'uuid-ossp': 'uuid-ossp', citext: 'citext', pgcrypto: 'pgcrypto', btree_gin: 'btree_gin', btree_gist: 'btree_gist',
  unaccent: 'unaccent', pg_cron: 'pg_cron', auto_explain: undefined, pg_partman: 'pg_partman',
};

export interface SetupSqlInput {
  /** The database the apps use (the tier's `postgresDatabase`). */
  readonly database: string;
  /** The apps' login (the tier's `postgresAppUser`). */
  readonly appUser: string;
  /** As the spec lists them (schema-checked names). */
  readonly extensions: readonly string[];
  /** The role that lets a user log in with IAM tokens: `rds_iam` on RDS. */
  readonly iamRole?: string;
}

/** A PostgreSQL identifier, double-quoted: safe for any name (no NUL), and case kept as written. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\0')) throw new Error(`not a PostgreSQL identifier: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** A PostgreSQL string literal (standard_conforming_strings, on since 9.1: backslashes are plain characters). */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('a PostgreSQL string cannot hold NUL');
  return `'${text.replace(/'/g, "''")}'`;
}

/** The extensions CREATE EXTENSION is run for, in the spec's order. */
export function createdExtensions(extensions: readonly string[]): string[] {
  return extensions.flatMap((e) => {
    if (!Object.hasOwn(CREATE_AS, e)) throw new Error(`unknown extension ${JSON.stringify(e)} (the spec schema admits ${POSTGRES_EXTENSIONS.join(', ')})`);
    return CREATE_AS[e as ExtensionName] ?? [];
  });
}

/**
 * The setup SQL, run as the master user; every statement may run again (re-runs follow any change of inputs).
 * The app user logs in only with IAM tokens (`rds_iam`; it has no password), may connect to its database and
 * create tables in `public` (PostgreSQL 15 took CREATE on public from everyone), and owns what its migrations create.
 */
export function setupSql({ database, appUser, extensions, iamRole = 'rds_iam' }: SetupSqlInput): string {
  const user = quoteIdent(appUser);
  const body = `BEGIN\n  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(appUser)}) THEN\n    CREATE ROLE ${user} LOGIN;\n  END IF;\nEND`;
  // Dollar quoting ends at its tag: a name holding the tag would end the block early.
  if (body.includes('$terrace$')) throw new Error('the app user name holds $terrace$');
  return [
    '-- terrace database setup (controller/db-setup): safe to run again',
    `DO $terrace$\n${body}\n$terrace$;`,
    `GRANT ${quoteIdent(iamRole)} TO ${user};`,
    `GRANT CONNECT, TEMPORARY ON DATABASE ${quoteIdent(database)} TO ${user};`,
    `GRANT USAGE, CREATE ON SCHEMA public TO ${user};`,
    ...createdExtensions(extensions).map((e) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e)};`),
    '',
  ].join('\n');
}
