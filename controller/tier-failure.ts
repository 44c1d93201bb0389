import { TierError } from './errors.ts';
import { errorMessage } from './redact.ts';
import type { RunResult } from './runner.ts';

/** Maps a failed terraform run to a TierError carrying terraform's own first lines (redacted). */
export function runFailure(reason: string, result: RunResult): TierError {
  if (result.timedOut) return new TierError('TerraformTimeout', 'terraform timed out and was stopped');
  if (result.cancelled) return new TierError('Cancelled', 'terraform was cancelled (shutdown or lost lease)');
  const errors = result.parsed.diagnostics.filter((d) => d.severity === 'error');
  const text = errors.length > 0 ? errors.map((d) => [d.summary, d.detail].filter(Boolean).join(': ')).join('\n') : result.stderr || `terraform exited with ${result.code}`;
  return new TierError(reason, errorMessage(text));
}
