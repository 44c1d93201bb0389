import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';

// The HTTP side of the client commands: where the server is, which token to send, and one
// request helper that turns every failure (network, problem+json, anything else) into a clear Error.

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
// A dry run synthesizes every tier on the server: allow it more than a plain read needs.
const TIMEOUT_MS = 60_000;

export interface Connection {
  server: string;
  token?: string;
  /** Where the token came from (or where none was found), for messages: the token itself is never printed. */
  tokenSource: string;
}

interface Problem {
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** An answer of the API with a 4xx/5xx status; the message is the problem's detail and each error by path. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** --server and --token, with their environment variables, on a client command. */
export function withConnection(command: Command): Command {
  return command
    .addOption(new Option('--server <url>', 'control plane URL').env('TERRACE_SERVER').default(DEFAULT_SERVER))
    .addOption(new Option('--token <token>', 'API token (else <TERRACE_DATA_DIR or ./.terrace>/admin-token when it exists)').env('TERRACE_TOKEN'));
}

export function connect(command: Command): Connection {
  const { server, token } = command.opts<{ server: string; token?: string }>();
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new Error(`--server ${server} is not a URL (e.g. ${DEFAULT_SERVER})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--server ${server}: use an http or https URL`);
  const base = server.replace(/\/+$/, '');
  if (token) return { server: base, token, tokenSource: command.getOptionValueSource('token') === 'env' ? 'TERRACE_TOKEN' : '--token' };
  // A newcomer on the machine running `npm start` needs nothing: that process wrote the admin token here.
  const file = resolve(process.env.TERRACE_DATA_DIR || '.terrace', 'admin-token');
  const fromFile = readTokenFile(file);
  return fromFile ? { server: base, token: fromFile, tokenSource: file } : { server: base, tokenSource: `no --token, TERRACE_TOKEN or ${file}` };
}

function readTokenFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Performs `method /v1<path>`; resolves with status and JSON body on 2xx, throws ApiError or a connection Error otherwise. */
export async function request<T>(conn: Connection, method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
  if (conn.token) headers.authorization = `Bearer ${conn.token}`;
  // Fastify rejects an empty body declared as JSON, so the header goes only with a body.
  if (body !== undefined) headers['content-type'] = 'application/json';
  let status: number;
  let text: string;
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  try {
    ({ status, text } = await send(`${conn.server}/v1${path}`, method, headers, body === undefined ? undefined : JSON.stringify(body), timeout));
  } catch (err) {
    throw unreachable(conn.server, timeout.aborted ? timeout.reason : err);
  }
  const parsed = parseJson(text);
  if (status < 400) return { status, body: parsed as T };
  throw new ApiError(status, describe(conn, status, parsed as Problem | undefined));
}

/**
 * One request through node:http(s), not fetch: a command's single request is most of its run, and fetch's first
 * use costs a client start far more (undici's HTTP parser is WebAssembly, compiled then) than node:http's native one.
 */
async function send(url: string, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  const { request: open } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = open(target, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) }, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Performs `method /v1<path>` whose answer is NDJSON (a plan's progress): calls `onLine` with each parsed line as
 * it arrives. A 4xx/5xx answer throws ApiError as `request` does. No timeout of its own: pass `signal`.
 */
export async function streamLines(conn: Connection, method: string, path: string, body: unknown, onLine: (line: unknown) => void, signal?: AbortSignal): Promise<void> {
  const headers: Record<string, string> = { accept: 'application/x-ndjson, application/json', 'content-type': 'application/json' };
  if (conn.token) headers.authorization = `Bearer ${conn.token}`;
  let res: Response;
  try {
    res = await fetch(`${conn.server}/v1${path}`, { method, headers, body: JSON.stringify(body), signal });
  } catch (err) {
    throw unreachable(conn.server, err);
  }
  if (res.status >= 400 || !res.body) throw new ApiError(res.status, describe(conn, res.status, parseJson(await res.text()) as Problem | undefined));
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      const line = buffer.slice(0, at).trim();
      buffer = buffer.slice(at + 1);
      if (line) onLine(JSON.parse(line));
    }
  }
  if (buffer.trim()) onLine(JSON.parse(buffer));
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function describe(conn: Connection, status: number, problem: Problem | undefined): string {
  const detail = problem?.detail ?? problem?.title ?? `HTTP ${status} from ${conn.server}`;
  const lines = [detail];
  for (const e of problem?.errors ?? []) {
    const line = `${e.path || '(document)'}: ${e.message}`;
    if (line !== detail) lines.push(`  ${line}`);
  }
  if (status === 401) {
    const sent = conn.token ? `${conn.server} did not accept the token from ${conn.tokenSource}` : `no token was sent (${conn.tokenSource})`;
    lines.push(`  ${sent}: pass one with --token or TERRACE_TOKEN`);
  }
  // The API's 403 detail names the missing scope; say how to get one.
  if (status === 403) lines.push('  ask an admin for a token with that scope (POST /v1/tokens)');
  return lines.join('\n');
}

function unreachable(server: string, err: unknown): Error {
  if ((err as Error).name === 'TimeoutError') return new Error(`no answer from the terrace server at ${server} within ${TIMEOUT_MS / 1000} s`);
  // fetch wraps the socket's error in `cause`; node:http throws it as it is.
  const cause = (err as { cause?: { code?: string; message?: string } }).cause ?? (err as { code?: string; message?: string });
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  return new Error(`cannot reach the terrace server at ${server} (${why}): start one with \`npm start\`, or point --server or TERRACE_SERVER at a running one`);
}

/** 404 is an answer here (the document does not exist), not a failure. */
export async function getOptional<T>(conn: Connection, path: string): Promise<T | undefined> {
  try {
    return (await request<T>(conn, 'GET', path)).body;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

export type Kind = 'Environment' | 'Target';

/** `environments`, `environment`, `env`, `targets`, `target` as on kubectl's command line. */
export function kindOf(word: string): Kind {
  if (['environments', 'environment', 'envs', 'env'].includes(word)) return 'Environment';
  if (['targets', 'target'].includes(word)) return 'Target';
  throw new Error(`unknown kind ${word}: use environments or targets`);
}

export const pathOf = (kind: Kind, name?: string) =>
  `/${kind === 'Environment' ? 'environments' : 'targets'}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
