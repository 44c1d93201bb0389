import type { StoredEnvironment } from '../specs/store/types.ts';
import { stableStringify } from '../specs/store/stable-json.ts';
import type { ChangeHub, StreamOptions, Watchers } from './watch-stream.ts';
import { openEventStream } from './watch-stream.ts';

/**
 * Names changed since it was opened, each once however often it changed: opened before the first listing, so a
 * change made while that listing is read is not lost.
 */
export class ChangedNames {
  private readonly names = new Set<string>();
  private wake?: () => void;
  readonly close: () => void;

  constructor(hub: ChangeHub) {
    this.close = hub.watchAny((name) => {
      this.names.add(name);
      this.wake?.();
    });
  }

  /** Calls `wake` on each change from now on, and at once if some are waiting. */
  onChange(wake: () => void): void {
    this.wake = wake;
    if (this.names.size > 0) wake();
  }

  take(): string[] {
    const all = [...this.names];
    this.names.clear();
    return all;
  }
}

export interface EnvironmentsStreamOptions extends Pick<StreamOptions, 'res' | 'keepaliveMs' | 'maxBufferedBytes' | 'log' | 'timers'> {
  /** The first listing (the label selector applied), read after `changed` was opened. */
  first: StoredEnvironment[];
  changed: ChangedNames;
  /** Reads one environment again (from the read cache); undefined when it is gone. */
  load: (name: string) => Promise<StoredEnvironment | undefined>;
  /** The label selector. */
  matches: (env: StoredEnvironment) => boolean;
}

/**
 * Server-Sent Events of every environment: each one of the first listing (`event: environment`), `synced`,
 * then on each change notice the document read again and sent if it differs, `deleted` (`{"name"}`) once it is
 * gone or no longer matches. No timer but the keepalive: changes come from the hub, reads from the cache.
 */
export function streamEnvironments(options: EnvironmentsStreamOptions, watchers: Watchers): void {
  const { first, changed, load, matches, log } = options;
  const stream = openEventStream(options, watchers);
  stream.onStop(changed.close);
  const sent = new Map<string, string>();
  const failed = new Set<string>();
  let failing = false;
  let draining = false;

  const publish = (name: string, env: StoredEnvironment | undefined) => {
    if (env && matches(env)) {
      const text = stableStringify(env);
      if (sent.get(name) === text) return;
      sent.set(name, text);
      stream.send(`event: environment\ndata: ${text}\n\n`);
    } else if (sent.delete(name)) {
      stream.send(`event: deleted\ndata: ${JSON.stringify({ name })}\n\n`);
    }
  };

  // One pass at a time; names noticed during a pass are read in the next one.
  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      // Names a read failed for are tried again with the next change (a store hiccup while the cache is stale).
      let names = [...new Set([...failed, ...changed.take()])];
      failed.clear();
      while (names.length > 0 && !stream.closed) {
        for (const name of names) {
          try {
            const env = await load(name);
            if (stream.closed) return;
            publish(name, env);
            failing = false;
          } catch (err) {
            failed.add(name);
            if (failing) log.debug({ err }, 'watch read failed again');
            else log.warn({ err }, 'watch read failed; retrying on the next change');
            failing = true;
          }
        }
        names = changed.take();
      }
    } finally {
      draining = false;
    }
  };

  for (const env of first) publish(env.metadata.name, env);
  stream.send(`event: synced\ndata: ${JSON.stringify({ count: first.length })}\n\n`);
  changed.onChange(() => void drain());
}
