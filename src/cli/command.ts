import type { ParseArgsConfig } from 'node:util';

/** The parsed arguments a command receives. */
export interface CommandArgs {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
  readonly cwd: string;
  /** The raw arguments after the command name (to tell `run -- cmd` from `run task`). */
  readonly argv?: readonly string[];
}

/** One `cairn` sub-command: its usage and its handler. Handlers return the exit code. */
export interface Command {
  /** e.g. 'add' or 'runs ls' */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(args: CommandArgs): Promise<number>;
}
