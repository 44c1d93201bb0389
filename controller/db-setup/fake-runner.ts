import type { SetupTask, TaskOutcome, TaskRunner } from './task-runner.ts';

/**
 * Where ECS cannot run (tests): records every task it is given and answers with the next scripted outcome
 * (by default the container exits 0). An Error in the script is thrown, as the real runner throws.
 */
export class FakeTaskRunner implements TaskRunner {
  readonly started: SetupTask[] = [];
  private readonly script: (Partial<TaskOutcome> | Error)[];

  constructor(...script: (Partial<TaskOutcome> | Error)[]) {
    this.script = script;
  }

  async run(task: SetupTask, signal: AbortSignal): Promise<TaskOutcome> {
    signal.throwIfAborted();
    this.started.push(task);
    const next = this.script.shift() ?? {};
    if (next instanceof Error) throw next;
    return { taskArn: `${task.clusterArn.replace(':cluster/', ':task/')}/${String(this.started.length).padStart(32, '0')}`, exitCode: 0, ...next };
  }
}
