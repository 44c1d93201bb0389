import { Command } from 'commander';
import { registerApply } from './apply-command.ts';
import { registerBootstrap } from './bootstrap-command.ts';
import { registerControlPlane } from './control-plane-command.ts';
import { registerDescribe } from './describe-command.ts';
import { registerDiff } from './diff-command.ts';
import { registerEvents } from './events-command.ts';
import { registerDashboard } from './dashboard-command.ts';
import { registerGet } from './get-command.ts';
import { registerImport } from './import-command.ts';
import { registerOperations } from './operate-command.ts';
import { registerPreview } from './preview-command.ts';
import { registerPromote } from './promote-command.ts';
import { registerServe } from './serve-command.ts';
import { registerStatus } from './status-command.ts';
import { registerSynth } from './synth-command.ts';
import { registerVerify } from './verify-command.ts';
import { registerWait } from './wait-command.ts';

// Every command is declared here at start (name, arguments, options: commander only), and each loads what it
// needs in its action with `await import()`. A `*-command.ts` file imports at its top only commander, node
// builtins, types and the light cli/ helpers (client, exit-codes, format, watch): `terrace --help` and
// `terrace get environments` must not load TypeBox, yaml, the AWS SDK, cdktf, fastify or pino
// (cli/start-imports.test.ts checks it; bench/cli-start.bench.ts measures it).

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
registerDiff(program);
registerGet(program);
registerStatus(program);
registerDescribe(program);
registerEvents(program);
registerOperations(program);
registerVerify(program);
registerWait(program);
registerPromote(program);
registerPreview(program);
registerDashboard(program);

await program.parseAsync(process.argv);
