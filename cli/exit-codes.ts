/** The exit codes of every command, which scripts and CI branch on. */
export const EXIT = {
  ok: 0,
  /** Invalid input, a failed request, or any other error: fix the input or the environment and retry. */
  failed: 1,
  /** The input is valid but a stack breaks a guardrail (synth, dry runs): fix the spec. */
  guardrail: 2,
  /** `diff`: the plan would change something (like `terraform plan -detailed-exitcode`). */
  changes: 2,
} as const;

/** Wraps a command action: its result is the exit code; any error prints `error: <message>` (no stack) and exits 1. */
export function run<A extends unknown[]>(action: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      process.exitCode = (await action(...args)) ?? EXIT.ok;
    } catch (err) {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = EXIT.failed;
    }
  };
}
