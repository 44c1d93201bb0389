// The tier model: spec in, effective per-tier configuration out. Both targets render it.
export * from './cidr.ts';
export * from './compute.ts';
export * from './context.ts';
export * from './data.ts';
export * from './escape.ts';
export * from './frontend.ts';
export * from './names.ts';
export * from './network.ts';
export * from './observability.ts';
export * from './outputs.ts';
