#!/usr/bin/env node
// The `terrace` bin: runs the bundle in dist/ that `npm ci` built (cli/build.mjs), so no TypeScript is
// transpiled at start. When a source is newer than the bundle (someone is editing it), it runs the sources
// through tsx instead: slower, never stale, and nothing is written that a concurrent run could be reading.
import { readdirSync, statSync } from 'node:fs';

// The AWS SDK's notice that it will need Node 22 from 2027 would open every log; the README says so once.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = new URL('../', import.meta.url);
const SOURCE_DIRS = ['api', 'cli', 'constructs', 'controller', 'server', 'specs', 'web'];

function builtAt() {
  try {
    return statSync(new URL('dist/.built', root)).mtimeMs;
  } catch {
    return -1;
  }
}

// Newer than `since`: any source file (tests aside) under the bundled folders. A few hundred stats, ~2 ms.
function changedSince(since) {
  const stack = SOURCE_DIRS.map((dir) => new URL(`${dir}/`, root));
  while (stack.length > 0) {
    const dir = stack.pop();
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'cdktf.out') stack.push(new URL(`${entry.name}/`, dir));
      } else if (/\.(ts|mjs|html|css)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) {
        if (statSync(new URL(entry.name, dir)).mtimeMs > since) return true;
      }
    }
  }
  return false;
}

const since = builtAt();
if (since < 0 || changedSince(since)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
} else {
  await import('../dist/main.js');
}
