#!/usr/bin/env node
// The `terrace` bin: loads the TypeScript sources through tsx, so `npx terrace` works right after `npm ci`.
import { register } from 'tsx/esm/api';

// The AWS SDK's notice that it will need Node 22 from 2027 would open every log; the README says so once.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('./main.ts');
