// Every data call of the page: the bearer token on each, problem details turned into readable errors.

export interface Whoami {
  name: string;
  id: string;
  scopes: string[];
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class Api {
  constructor(private readonly token: () => string | undefined, private readonly onUnauthorized: () => void) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token() ?? ''}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    const text = await res.text();
    const json = parseJson(text);
    if (res.status === 401) this.onUnauthorized();
    if (!res.ok) {
      const problem = json as { detail?: string; title?: string; errors?: { path: string; message: string }[] } | undefined;
      const errors = problem?.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
      throw new ApiError(res.status, [problem?.detail ?? problem?.title ?? `HTTP ${res.status}`, errors].filter(Boolean).join(' — '));
    }
    return json as T;
  }
}

/** A body that is not JSON (a proxy's HTML error page) leaves the status to speak, instead of a SyntaxError. */
function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** What the token may do, from its scopes (admin implies all; read is implied by any scope). */
export const canOperate = (who: Whoami | undefined) => !!who && (who.scopes.includes('operate') || who.scopes.includes('admin'));
