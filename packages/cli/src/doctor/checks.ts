import type { Mode } from '../registry.js';

/** One finding of `patchbay doctor`. */
export interface Check {
  /** `fail` makes the exit code non-zero when the connector is configured. */
  status: 'ok' | 'info' | 'warn' | 'fail';
  text: string;
  /** What to do about it, when something is to be done. */
  fix?: string;
}

export interface DoctorContext {
  /** The mode `patchbay serve` would run the connector in here. */
  mode: Mode;
  /** The operator asked for this connector or gave it settings: its problems are failures. */
  configured: boolean;
}
