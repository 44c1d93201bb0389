import type { Environment } from '../environment.ts';
import type { EnvironmentStatus } from '../status.ts';
import type { Target } from '../target.ts';
import type { Kind } from '../validate.ts';

export type StoredEnvironment = Environment & { status: EnvironmentStatus };
export type StoredTarget = Target;
export type DocumentOf<K extends Kind> = K extends 'Environment' ? StoredEnvironment : StoredTarget;

export interface ListOptions {
  limit?: number;
  /** Opaque token from the previous page's `continue`. */
  continue?: string;
  /** `app=chat,stage=prod`: every pair must match the document's labels. */
  labelSelector?: string;
}
export interface Page<T> {
  items: T[];
  continue?: string;
}

export interface WriteOptions {
  /** Compare-and-set: the write fails with ConflictError unless the stored resourceVersion equals this. */
  expectedResourceVersion?: string;
}

export interface EnvironmentEvent {
  /** Set by the store: sortable, unique. */
  id?: string;
  time: string;
  tier?: string;
  action: string;
  outcome: 'Succeeded' | 'Failed' | 'Skipped' | 'Info';
  message?: string;
  durationMs?: number;
  changes?: { add: number; change: number; destroy: number };
}

export interface Lease {
  name: string;
  holder: string;
  expiresAt: number;
}

export interface StoredToken {
  /** sha256 hex of the token: the token itself is never stored. */
  hash: string;
  name: string;
  scopes: string[];
  createdAt: string;
}

/**
 * The desired-state store. Spec and status are separate items: a spec write bumps `generation`
 * (only when the spec changed) and `resourceVersion`; a status write leaves `generation` alone.
 */
export interface Store {
  /** Validated, defaulted documents only. Sets uid, generation 1, resourceVersion, finalizers. ConflictError if it exists. */
  create<K extends Kind>(doc: Omit<DocumentOf<K>, 'status'> & { kind: K }): Promise<DocumentOf<K>>;
  get<K extends Kind>(kind: K, name: string): Promise<DocumentOf<K> | undefined>;
  list<K extends Kind>(kind: K, options?: ListOptions): Promise<Page<DocumentOf<K>>>;
  /** Replaces spec, labels and annotations. An identical spec keeps `generation`; identical everything writes nothing. */
  update<K extends Kind>(doc: Omit<DocumentOf<K>, 'status'> & { kind: K }, options?: WriteOptions): Promise<DocumentOf<K>>;
  updateStatus(name: string, status: EnvironmentStatus, options?: WriteOptions): Promise<StoredEnvironment>;
  /** Sets deletionTimestamp (idempotent). Environments keep existing until the controller removes them. */
  markDeleted<K extends Kind>(kind: K, name: string, options?: WriteOptions): Promise<DocumentOf<K>>;
  /** Drops spec, status and events of the document (its lease is released by its holder). */
  remove(kind: Kind, name: string): Promise<void>;

  appendEvent(name: string, event: EnvironmentEvent): Promise<EnvironmentEvent>;
  /** Newest first. */
  listEvents(name: string, options?: { limit?: number; continue?: string }): Promise<Page<EnvironmentEvent>>;

  /** True when `holder` now holds the lease until now + ttlMs (new, lapsed, or already its own). */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** False when the lease was lost to another holder. */
  renewLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;

  putToken(token: StoredToken): Promise<void>;
  getToken(hash: string): Promise<StoredToken | undefined>;
  listTokens(): Promise<StoredToken[]>;
  deleteToken(hash: string): Promise<void>;

  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class ConflictError extends Error {
  constructor(message: string, readonly current?: unknown) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class NotFoundError extends Error {
  constructor(readonly kind: Kind | 'Status', readonly docName: string) {
    super(`${kind} ${docName} not found`);
    this.name = 'NotFoundError';
  }
}
