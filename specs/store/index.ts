export * from './types.ts';
export { openStore, type StoreConfig, type OpenedStore } from './open.ts';
export { DynamoStore } from './dynamo-store.ts';
export { parseLabelSelector } from './label-selector.ts';
export { stableStringify } from './stable-json.ts';
export { CachedStore, DEFAULT_CACHE_POLL_MS, type CachedStoreOptions } from './cached-store.ts';
