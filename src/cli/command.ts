// One `cairn` sub-command: its usage, its options and its handler. `defineCommand` types the
// parsed option values from the option table, so no handler casts what it reads.

/** An option as node:util's parseArgs takes it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The parsed values of an option table: booleans, strings, or string lists for `multiple`. */
export type OptionValues<O extends OptionTable> = {
  readonly [K in keyof O]?: O[K] extends { readonly type: 'boolean' }
    ? boolean
    : O[K] extends { readonly multiple: true }
      ? string[]
      : string;
};

/** The parsed arguments a command receives. */
export interface CommandArgs<O extends OptionTable = OptionTable> {
  readonly values: OptionValues<O>;
  readonly positionals: string[];
  readonly cwd: string;
  /** The raw arguments after the command name (to tell `run -- cmd` from `run task`). */
  readonly argv?: readonly string[];
}

/** One `cairn` sub-command. Handlers return the exit code. */
export interface Command<O extends OptionTable = OptionTable> {
  /** e.g. 'add' or 'runs ls' */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: O;
  /** Left out of `cairn --help` (the node side of a cluster job). */
  readonly hidden?: boolean;
  run(args: CommandArgs<O>): Promise<number>;
}

/** A command whose handler sees its own options' types. */
export function defineCommand<const O extends OptionTable>(command: Command<O>): Command {
  return command;
}
