// The setup SQL run against a real PostgreSQL by the exact command the task definition gives psql. It needs the
// PostgreSQL server binaries (initdb, pg_ctl: on PATH or in Debian's /usr/lib/postgresql/<version>/bin) and psql,
// which `.ci/run` installs; it is skipped, saying so, where they are missing.
// Extensions this server lacks (vector, postgis) are not tried: contrib's are.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelContext } from '../../constructs/model/context.ts';
import { dataModel } from '../../constructs/model/data.ts';
import { devEnvironment, LOCAL_TARGET } from '../../constructs/testing/fixtures.ts';
import { setupSql } from './sql.ts';

// Debian keeps the server binaries off PATH, under the version's own folder.
const debianBin = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)).at(-1) : undefined;
const serverPath = [debianBin && `/usr/lib/postgresql/${debianBin}/bin`, process.env.PATH].filter(Boolean).join(':');
const has = (cmd: string) => spawnSync(cmd, ['--version'], { env: { ...process.env, PATH: serverPath } }).status === 0;
const available = has('initdb') && has('pg_ctl') && has('psql');
if (!available) console.warn('controller/db-setup/sql-postgres.test.ts skipped: no PostgreSQL server binaries (initdb, pg_ctl) or psql on PATH');

// PostgreSQL refuses to run as root: the server then runs as the postgres user.
const asServer = (cmd: string, args: string[]) =>
  process.getuid?.() === 0
    ? spawnSync('runuser', ['-u', 'postgres', '--', 'env', `PATH=${serverPath}`, cmd, ...args], { encoding: 'utf8' })
    : spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, PATH: serverPath } });

describe.skipIf(!available)('the setup SQL on a real PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'terrace-pg-'));
  const data = join(dir, 'data');
  const { setup } = dataModel(modelContext(devEnvironment(), LOCAL_TARGET)).postgres!;
  /** Runs a command as the setup task's container would, libpq's variables pointing at the local server. */
  const sh = (command: string, env: Record<string, string>): SpawnSyncReturns<string> =>
    spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { PATH: process.env.PATH, PGHOST: dir, PGPORT: '54329', PGUSER: 'terrace_admin', PGDATABASE: 'chat_dev', ...env } });
  const query = (sql: string, user = 'terrace_admin') => sh('psql -X -A -t -v ON_ERROR_STOP=1 -c "$Q"', { Q: sql, PGUSER: user });
  const runSetup = (sql: string) => sh(setup.command[2], { SETUP_SQL: sql });

  beforeAll(() => {
    if (process.getuid?.() === 0) {
      const pg = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      chownSync(dir, Number(pg.stdout.trim()), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()));
    }
    const init = asServer('initdb', ['-D', data, '-U', 'terrace_admin', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    expect(init.status, init.stderr).toBe(0);
    // -w: pg_ctl returns once the server accepts connections.
    const start = asServer('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-k ${dir} -c listen_addresses= -p 54329 -c fsync=off`, 'start']);
    expect(start.status, start.stderr).toBe(0);
    // What RDS has and a fresh server lacks: the rds_iam role; and the environment's database.
    for (const sql of ['CREATE ROLE rds_iam', 'CREATE DATABASE chat_dev']) expect(sh('psql -X -v ON_ERROR_STOP=1 -d postgres -c "$Q"', { Q: sql }).status).toBe(0);
  }, 60_000);
  afterAll(() => {
    asServer('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the app user, its grants and the extensions, and runs again without error', () => {
    const sql = setupSql({ database: 'chat_dev', appUser: 'terrace_app', extensions: ['pg_stat_statements', 'pg_trgm', 'uuid-ossp', 'citext', 'auto_explain'] });
    const [first, again] = [runSetup(sql), runSetup(sql)];
    expect([first.status, first.stderr]).toEqual([0, '']);
    // Run again: notices that each thing exists, no error.
    expect(again.status).toBe(0);
    expect(again.stderr).not.toContain('ERROR');
    expect(query("SELECT rolcanlogin, rolpassword IS NULL, pg_has_role('terrace_app', 'rds_iam', 'member') FROM pg_authid WHERE rolname = 'terrace_app'").stdout.trim()).toBe('t|t|t');
    expect(query('SELECT extname FROM pg_extension WHERE extname <> \'plpgsql\' ORDER BY 1').stdout.trim().split('\n')).toEqual(['citext', 'pg_stat_statements', 'pg_trgm', 'uuid-ossp']);
    // As the app user: its migrations can create tables in public, using the extensions.
    const app = query('CREATE TABLE users (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), email citext UNIQUE); INSERT INTO users (email) VALUES (\'A@x\'); SELECT count(*) FROM users WHERE email = \'a@X\'', 'terrace_app');
    expect([app.status, app.stderr, app.stdout.trim().split('\n').at(-1)]).toEqual([0, '', '1']);
  });

  it('stops at the first failing statement: psql exits 3, which the task reports as its exit code', () => {
    const run = runSetup(setupSql({ database: 'chat_dev', appUser: 'terrace_app', extensions: ['pgvector', 'hstore'] }));
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('extension "vector" is not available');
    // ON_ERROR_STOP: nothing after the failure ran.
    expect(query("SELECT count(*) FROM pg_extension WHERE extname = 'hstore'").stdout.trim()).toBe('0');
  });
});
