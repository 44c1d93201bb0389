#!/usr/bin/env node
// The `terrace` bin: loads the TypeScript sources through tsx, so `npx terrace` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
