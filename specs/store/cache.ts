import { emptyStatus, type EnvironmentStatus } from '../status.ts';
import type { Kind } from '../validate.ts';
import type { FetchedItems, Versions } from './cache-source.ts';
import type { DocumentOf, StoredToken } from './types.ts';

/** Something changed about one document (its spec or, for an Environment, its status), or it is gone. */
export type CacheListener = (kind: Kind, name: string) => void;

// `seq` orders this process's own writes against polls: a poll started before a write must not undo it
// (an older listing re-adding a deleted token, or an older rv replacing the one just written).
// `gone` entries are tombstones of this process's deletes, cleared by the first poll that started after them;
// `uid` is the removed document's, so that a late read-back of it is told from a document created again.
type Entry<T> = { value?: T; rv?: number; seq: number; gone?: boolean; uid?: string };

const KINDS: Kind[] = ['Environment', 'Target'];

/** Deep-frozen: documents are shared by every reader, so a caller changing one in place is an error, not a leak into the cache. */
function freeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) freeze(v);
  }
  return value;
}

/** An environment without a status item yet: one shared frozen value, so its JSON text and status hash are remembered too. */
const EMPTY_STATUS = freeze(emptyStatus());

/**
 * The in-process copy of the table's specs, statuses and token hashes: fed by polls (`plan` then `apply`) and by
 * this process's own successful writes (`put*`/`drop*`). Readers get frozen documents; listeners hear of changes.
 */
export class StoreCache {
  private readonly specs: Record<Kind, Map<string, Entry<Record<string, any>>>> = { Environment: new Map(), Target: new Map() };
  private readonly statuses = new Map<string, Entry<EnvironmentStatus>>();
  private readonly tokens = new Map<string, Entry<StoredToken>>();
  private readonly sorted: Partial<Record<Kind, string[]>> = {};
  private readonly listenerSet = new Set<CacheListener>();
  private seq = 0;

  /** The write counter now: pass it to `apply` for a poll that starts now. */
  mark(): number {
    return this.seq;
  }

  /** How many listen now (a watch that ended must not stay subscribed). */
  get listeners(): number {
    return this.listenerSet.size;
  }

  subscribe(listener: CacheListener): () => void {
    this.listenerSet.add(listener);
    return () => this.listenerSet.delete(listener);
  }

  get<K extends Kind>(kind: K, name: string): DocumentOf<K> | undefined {
    const spec = this.specs[kind].get(name)?.value;
    if (!spec) return undefined;
    if (kind !== 'Environment') return spec as DocumentOf<K>;
    return { ...spec, status: this.statuses.get(name)?.value ?? EMPTY_STATUS } as DocumentOf<K>;
  }

  /** Live names of a kind in the table's order (sk, byte order; names are lowercase ASCII). */
  names(kind: Kind): string[] {
    let names = this.sorted[kind];
    if (!names) {
      names = [...this.specs[kind]].filter(([, e]) => e.value).map(([n]) => n).sort();
      this.sorted[kind] = names;
    }
    return names;
  }

  getToken(hash: string): StoredToken | undefined {
    return this.tokens.get(hash)?.value;
  }

  /** This process wrote this document (spec and, for an Environment, the status it read back). */
  putDocument(doc: Record<string, any>, options: { statusWritten?: boolean } = {}): void {
    const kind = doc.kind as Kind;
    const name = doc.metadata.name as string;
    const seq = ++this.seq;
    const { status, ...spec } = doc;
    const rv = Number(doc.metadata.resourceVersion);
    const held = this.specs[kind].get(name);
    // A write's read-back processed after this process removed the document (same uid): never a ghost of it.
    if (held?.gone && held.uid !== undefined && held.uid === doc.metadata.uid) return;
    if (!held?.value) delete this.sorted[kind];
    // Two writes' read-backs may arrive out of order: an older version of the same document never replaces a newer.
    const older = held?.value?.metadata.uid === doc.metadata.uid && held?.rv !== undefined && held.rv > rv;
    if (!older) this.specs[kind].set(name, { value: freeze(spec), rv, seq });
    // The status item's own rv is not in the document: unknown, so the next poll fetches it once.
    if (kind === 'Environment' && options.statusWritten) this.statuses.set(name, { value: freeze(status), seq });
    this.emit(kind, name);
  }

  dropDocument(kind: Kind, name: string): void {
    const seq = ++this.seq;
    const held = this.specs[kind].get(name);
    this.specs[kind].set(name, { gone: true, seq, uid: held?.value?.metadata.uid ?? held?.uid });
    if (kind === 'Environment') this.statuses.set(name, { gone: true, seq });
    delete this.sorted[kind];
    this.emit(kind, name);
  }

  putToken(token: StoredToken): void {
    this.tokens.set(token.hash, { value: freeze({ ...token }), seq: ++this.seq });
  }

  dropToken(hash: string): void {
    this.tokens.set(hash, { gone: true, seq: ++this.seq });
  }

  /** What a poll's listing says must be fetched: items new or whose rv moved (and not written here since `since`). */
  plan(versions: Versions, since: number): { specs: { kind: Kind; name: string }[]; statuses: string[] } {
    const specs: { kind: Kind; name: string }[] = [];
    for (const kind of KINDS) {
      for (const [name, rv] of versions.specs[kind]) {
        const e = this.specs[kind].get(name);
        if (!(e && e.seq > since) && (e?.rv !== rv || !e.value)) specs.push({ kind, name });
      }
    }
    const statuses: string[] = [];
    for (const [name, rv] of versions.statuses) {
      const e = this.statuses.get(name);
      if (!(e && e.seq > since) && (e?.rv !== rv || !e.value)) statuses.push(name);
    }
    return { specs, statuses };
  }

  /**
   * Applies one poll that started when `mark()` was `since`: what the listing lacks is gone, what was fetched
   * replaces the cached item, except items this process wrote after the poll started.
   */
  apply(versions: Versions, fetched: FetchedItems, since: number): void {
    const changed = new Set<string>();
    const note = (kind: Kind, name: string) => changed.add(`${kind}\n${name}`);
    for (const kind of KINDS) {
      for (const [name, e] of this.specs[kind]) {
        if (e.seq <= since && !versions.specs[kind].has(name)) {
          this.specs[kind].delete(name);
          if (e.value) (note(kind, name), delete this.sorted[kind]);
        }
      }
    }
    for (const [name, e] of this.statuses) {
      if (e.seq <= since && !versions.statuses.has(name)) {
        this.statuses.delete(name);
        if (e.value) note('Environment', name);
      }
    }
    for (const item of fetched.specs) {
      const e = this.specs[item.kind].get(item.name);
      if (e && e.seq > since) continue;
      if (!e?.value) delete this.sorted[item.kind];
      this.specs[item.kind].set(item.name, { value: freeze(item.doc), rv: item.rv, seq: e?.seq ?? 0 });
      note(item.kind, item.name);
    }
    for (const item of fetched.statuses) {
      const e = this.statuses.get(item.name);
      if (e && e.seq > since) continue;
      this.statuses.set(item.name, { value: freeze(item.status), rv: item.rv, seq: e?.seq ?? 0 });
      note('Environment', item.name);
    }
    // Listed but gone before the fetch came: absent until the next poll says otherwise.
    const returned = new Set(fetched.specs.map((i) => `${i.kind}\n${i.name}`));
    for (const kind of KINDS) {
      for (const [name, rv] of versions.specs[kind]) {
        const e = this.specs[kind].get(name);
        if (e && e.seq <= since && e.rv !== rv && !returned.has(`${kind}\n${name}`)) {
          this.specs[kind].delete(name);
          if (e.value) (note(kind, name), delete this.sorted[kind]);
        }
      }
    }
    const listed = new Set(versions.tokens.map((t) => t.hash));
    for (const [hash, e] of this.tokens) if (e.seq <= since && !listed.has(hash)) this.tokens.delete(hash);
    for (const token of versions.tokens) {
      const e = this.tokens.get(token.hash);
      if (!(e && e.seq > since)) this.tokens.set(token.hash, { value: freeze(token), seq: e?.seq ?? 0 });
    }
    for (const key of changed) {
      const [kind, name] = key.split('\n') as [Kind, string];
      this.emit(kind, name);
    }
  }

  private emit(kind: Kind, name: string): void {
    for (const listener of this.listenerSet) {
      try {
        listener(kind, name);
      } catch {
        // A listener's failure is its own (each watch handles its errors); the cache and the other listeners go on.
      }
    }
  }
}
