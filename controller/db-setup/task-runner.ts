/** A one-off task in the environment's VPC: what the controller asks for, whatever runs it. */
export interface SetupTask {
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  /** The container whose environment gets the overrides. */
  readonly container: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  /** Added to the container's environment for this run only (the SQL). */
  readonly environment: Readonly<Record<string, string>>;
  /** ECS's startedBy (36 characters): who started the task, visible in the console. */
  readonly startedBy: string;
}

/** How the task ended. `exitCode` is absent when the container never ran (image pull, secret, network). */
export interface TaskOutcome {
  readonly taskArn: string;
  readonly exitCode?: number;
  /** ECS's own words: stopCode and stoppedReason, and the container's reason. */
  readonly reason?: string;
}

/**
 * Starts a task and waits for it to stop: bounded by its own timeout, and stopped (best effort) when `signal`
 * aborts. A task that could not start, or did not stop in time, is a TaskRunError.
 */
export interface TaskRunner {
  run(task: SetupTask, signal: AbortSignal): Promise<TaskOutcome>;
  /** Frees what the runner holds (the SDK client's sockets); it is not used again. */
  close?(): void;
}

export class TaskRunError extends Error {
  constructor(
    /** Lost: DescribeTasks failed after the task started (it was stopped). */
    readonly reason: 'StartFailed' | 'Timeout' | 'Cancelled' | 'Lost',
    message: string,
    readonly taskArn?: string,
  ) {
    super(message);
    this.name = 'TaskRunError';
  }
}
