import { Command } from 'commander';
import { registerApply } from './apply-command.ts';
import { registerBootstrap } from './bootstrap-command.ts';
import { registerControlPlane } from './control-plane-command.ts';
import { registerGet } from './get-command.ts';
import { registerImport } from './import-command.ts';
import { registerOperations } from './operate-command.ts';
import { registerServe } from './serve-command.ts';
import { registerStatus } from './status-command.ts';
import { registerSynth } from './synth-command.ts';
import { registerVerify } from './verify-command.ts';

const program = new Command('terrace')
  .description('Reconciles real-time web application environments onto AWS from declarative specs')
  .showHelpAfterError();

registerServe(program);
registerSynth(program);
// Offline: the stacks that put terrace itself on AWS.
registerBootstrap(program);
registerControlPlane(program);
registerImport(program);
// Client commands: they talk to a running control plane over its REST API.
registerApply(program);
registerGet(program);
registerStatus(program);
registerOperations(program);
registerVerify(program);

await program.parseAsync(process.argv);
