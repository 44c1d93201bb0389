import { Fn } from './cdktf.ts';
import type { Tier } from '../../specs/environment.ts';
import type { OutputRef, Part } from '../model/context.ts';
import { escapeDeep } from '../model/escape.ts';

export type TierOutputs = Record<string, string | number | boolean | string[]>;

/** Reads another tier's outputs from its terraform state (local file or S3 key). */
export interface RemoteOutputs {
  getString(output: string): string;
  getNumber(output: string): number;
  getList(output: string): string[];
}

/**
 * Another tier's outputs as the stack sees them: plain values when the controller passes them (so a change
 * upstream changes this stack's JSON and re-plans it), else references into that tier's state.
 */
export class TierInputs {
  private readonly given: Partial<Record<Tier, TierOutputs>>;
  private readonly remote = new Map<Tier, RemoteOutputs>();

  constructor(
    given: Partial<Record<Tier, TierOutputs>> | undefined,
    private readonly openRemote: (tier: Tier) => RemoteOutputs,
  ) {
    // Outputs are data too: a `${` in one must not become an interpolation here.
    this.given = escapeDeep(given ?? {});
  }

  /** A scalar output, or one element of a list output, as a string. */
  string(r: OutputRef): string {
    const given = this.givenValue(r);
    if (given !== undefined) {
      const v = r.index === undefined ? given : asList(r, given)[r.index];
      if (v === undefined) throw new Error(`inputs.${r.tier}.${r.output}[${r.index}] is missing`);
      return String(v);
    }
    const remote = this.source(r.tier);
    return r.index === undefined ? remote.getString(r.output) : Fn.element(remote.getList(r.output), r.index);
  }

  number(r: OutputRef): number {
    const given = this.givenValue(r);
    if (given !== undefined) return Number(given);
    return this.source(r.tier).getNumber(r.output);
  }

  list(r: OutputRef): string[] {
    const given = this.givenValue(r);
    if (given !== undefined) return asList(r, given).map(String);
    return this.source(r.tier).getList(r.output);
  }

  /** Literals and outputs concatenated: `rediss://` + endpoint + `:6379/0`. */
  join(parts: readonly Part[]): string {
    return parts.map((p) => (typeof p === 'string' ? p : this.string(p))).join('');
  }

  private givenValue(r: OutputRef): TierOutputs[string] | undefined {
    const outputs = this.given[r.tier];
    if (outputs === undefined) return undefined;
    const v = outputs[r.output];
    if (v === undefined) throw new Error(`inputs.${r.tier}.${r.output} is missing (the ${r.tier} tier's outputs were passed without it)`);
    return v;
  }

  private source(tier: Tier): RemoteOutputs {
    let s = this.remote.get(tier);
    if (!s) {
      s = this.openRemote(tier);
      this.remote.set(tier, s);
    }
    return s;
  }
}

function asList(r: OutputRef, v: TierOutputs[string]): readonly (string | number | boolean)[] {
  if (!Array.isArray(v)) throw new Error(`inputs.${r.tier}.${r.output} must be a list`);
  return v;
}
