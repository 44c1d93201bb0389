import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the control plane (API and controller); embedded DynamoDB and the local target by default')
    .action(async () => {
      const { startControlPlane } = await import('../main.ts');
      await startControlPlane(process.env);
    });
}
