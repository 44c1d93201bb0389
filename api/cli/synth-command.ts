import type { Command } from 'commander';

// Placeholder until the constructs work lands (issue 4): `terrace synth -f <file>... --out <dir>`.
export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('synthesize the terraform stacks of environments (not built yet)')
    .action(() => {
      console.error('terrace synth: not built yet');
      process.exitCode = 1;
    });
}
