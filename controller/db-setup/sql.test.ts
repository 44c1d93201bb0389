import { describe, expect, it } from 'vitest';
import { POSTGRES_EXTENSIONS } from '../../specs/environment.ts';
import { createdExtensions, quoteIdent, quoteLiteral, setupSql } from './sql.ts';

describe('setupSql', () => {
  it('creates the IAM-authenticated app user if absent, grants it its database and public, and each extension', () => {
    expect(setupSql({ database: 'chat_prod', appUser: 'terrace_app', extensions: ['pg_stat_statements', 'pgvector', 'uuid-ossp', 'auto_explain'] })).toBe([
      '-- terrace database setup (controller/db-setup): safe to run again',
      'DO $terrace$',
      'BEGIN',
      "  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'terrace_app') THEN",
      '    CREATE ROLE "terrace_app" LOGIN;',
      '  END IF;',
      'END',
      '$terrace$;',
      'GRANT "rds_iam" TO "terrace_app";',
      'GRANT CONNECT, TEMPORARY ON DATABASE "chat_prod" TO "terrace_app";',
      'GRANT USAGE, CREATE ON SCHEMA public TO "terrace_app";',
      'CREATE EXTENSION IF NOT EXISTS "pg_stat_statements";',
      'CREATE EXTENSION IF NOT EXISTS "vector";',
      'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";',
      '',
    ].join('\n'));
  });

  it('quotes names so that none can end a statement or the DO block', () => {
    const sql = setupSql({ database: 'db"; DROP DATABASE x; --', appUser: "o'brien\"", extensions: [] });
    expect(sql).toContain('GRANT CONNECT, TEMPORARY ON DATABASE "db""; DROP DATABASE x; --" TO "o\'brien""";');
    expect(sql).toContain("WHERE rolname = 'o''brien\"'");
    expect(() => setupSql({ database: 'd', appUser: 'x$terrace$y', extensions: [] })).toThrow('holds $terrace$');
    expect(() => quoteIdent('a\0b')).toThrow('not a PostgreSQL identifier');
    expect(() => quoteIdent('')).toThrow('not a PostgreSQL identifier');
    expect(quoteLiteral('a\\b')).toBe("'a\\b'");
  });

  it('knows every extension the spec schema admits, and refuses any other', () => {
    expect(createdExtensions([...POSTGRES_EXTENSIONS])).toHaveLength(POSTGRES_EXTENSIONS.length - 1);
    expect(() => createdExtensions(['vector; DROP TABLE x'])).toThrow('unknown extension');
    expect(() => createdExtensions(['constructor'])).toThrow('unknown extension');
  });
});
