import type { Command } from 'commander';
import { run } from './exit-codes.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the control plane (API and controller); embedded DynamoDB and the local target by default')
    .action(run(async () => {
      const { startControlPlane } = await import('../server/main.ts');
      await startControlPlane(process.env);
    }));
}
