import { Command } from 'commander';
import { registerServe } from './serve-command.ts';
import { registerSynth } from './synth-command.ts';

const program = new Command('terrace')
  .description('Reconciles real-time web application environments onto AWS from declarative specs')
  .showHelpAfterError();

registerServe(program);
registerSynth(program);

await program.parseAsync(process.argv);
