import type { Project } from '../project/project.js';
import type { RunExecutor, RunSpec } from './runRecord.js';
import type { ParamValue } from './taskConfig.js';
import type { TerminalAttachment } from './terminalAttachment.js';

/** What to run and how. */
export interface RunRequest {
  /** A task from cairn.yaml (or a recorded spec, for reproduce), or... */
  readonly task?: { readonly name: string | null; readonly spec: RunSpec };
  /** ...an ad-hoc command (argv), recorded as a run. */
  readonly argv?: readonly string[];
  readonly overrides?: Record<string, ParamValue>;
  /** Task defaults for parameters the params file lacks. */
  readonly paramDefaults?: Record<string, ParamValue>;
  readonly name?: string;
  readonly sweep?: string;
  readonly reproduces?: string;
  /** Where the program runs and its files are (default: the store's project). */
  readonly workProject?: Project;
  /**
   * The work tree is the run's own (a cluster job's folder): its params file is overridden in
   * place, without the lock that runs sharing the user's work tree take.
   */
  readonly ownsWorkTree?: boolean;
  /** Record the run as queued on this executor; its program runs when the scheduler starts it. */
  readonly queue?: RunExecutor;
  /** Project-relative directory the program runs in (default the root). */
  readonly cwd?: string;
  /** Keys of `overrides` that are new params, not in the params file or defaults (`-p +key`). */
  readonly newParams?: readonly string[];
  /** Copy the program's output to this process's stdout as it comes (default true). */
  readonly echo?: boolean;
  /** Give the program a pseudo-terminal (default: when a terminal is attached). */
  readonly tty?: boolean;
  /** The caller's terminal: the program's terminal gets its size, keystrokes and resizes. */
  readonly terminal?: TerminalAttachment;
  /** Called while another run holds the params file. */
  readonly onWait?: (holderRunId: string) => void;
}
