import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.terrace/**'],
    // Terraform and dynalite tests spawn processes; the machine has 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at once: most tests wait on terraform or the network, and vitest's default (cores - 1) is one here.
    maxWorkers: 2,
    // Files in a worker share loaded modules (cdktf, the provider bindings, TypeBox): importing them per file cost
    // ~80 s of the suite's CPU. Tests keep no module-level state between files.
    isolate: false,
    // The AWS SDK announces its move to Node 22 on every process; this machine runs Node 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
