// Server-Sent Events over fetch: EventSource cannot send an Authorization header, and the API takes the token
// only there (never in a URL, where logs and history would keep it).

export interface SseMessage {
  event: string;
  data: string;
}

/** Splits a stream's text into messages as it arrives; a message cut across chunks waits for its end. */
export class SseParser {
  private buffer = '';

  push(chunk: string): SseMessage[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const out: SseMessage[] = [];
    for (let at = this.buffer.indexOf('\n\n'); at >= 0; at = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue; // a keepalive comment
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) out.push({ event, data: data.join('\n') });
    }
    return out;
  }
}

/** The wait before reconnect attempt n (0-based): 1 s doubling to 30 s, with up to 20% jitter so clients spread. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
  return Math.round(base * (1 + 0.2 * random()));
}

export interface FollowOptions {
  url: string;
  token: () => string | undefined;
  onMessage: (message: SseMessage) => void;
  /** Connected (true) or lost and retrying (false), for the page's live indicator. */
  onConnection?: (live: boolean, retryInMs?: number) => void;
  /** 401 or 403: retrying cannot help. */
  onRefused?: (status: number) => void;
  /** 404 or 400: nothing to follow there (a mistyped, invalid or deleted name); retrying would only wait forever. */
  onGone?: () => void;
}

/** Follows a stream until stopped: reconnects with backoff after an error or the server ending it. Returns stop. */
export function follow(options: FollowOptions): () => void {
  const controller = new AbortController();
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = async () => {
    try {
      const res = await fetch(options.url, {
        headers: { authorization: `Bearer ${options.token() ?? ''}`, accept: 'text/event-stream' },
        signal: controller.signal,
        cache: 'no-store',
      });
      if (res.status === 401 || res.status === 403) return options.onRefused?.(res.status);
      if ((res.status === 404 || res.status === 400) && options.onGone) return options.onGone();
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      attempt = 0;
      options.onConnection?.(true);
      const parser = new SseParser();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const message of parser.push(value)) options.onMessage(message);
      }
    } catch {
      if (controller.signal.aborted) return;
    }
    if (controller.signal.aborted) return;
    const wait = backoffMs(attempt++);
    options.onConnection?.(false, wait);
    timer = setTimeout(() => void connect(), wait);
  };
  void connect();
  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}
