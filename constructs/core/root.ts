import { Construct } from 'constructs';

// cdktf's App reads env vars and creates its outdir on construction; synthesis here must do neither.
// Stacks only need a root that cdktf recognises as an App (by this symbol) and the context below.
const APP_SYMBOL = Symbol.for('cdktf/App');

/** The root of one synthesis: an App in cdktf's eyes, without the App's I/O. */
export class SynthRoot extends Construct {
  constructor() {
    super(undefined as unknown as Construct, '');
    Object.defineProperty(this, APP_SYMBOL, { value: true });
    // Stack traces would put file paths and line numbers in the JSON: not deterministic.
    this.node.setContext('@cdktf/disable_stack_trace_in_metadata', true);
    this.node.setContext('cdktfVersion', '0.21.0');
  }
}
