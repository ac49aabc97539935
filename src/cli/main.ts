import { parseArgs } from 'node:util';
import { CairnError } from '../core/errors.js';
import { findProject } from '../core/project/project.js';
import { cairnVersion } from '../core/version.js';
import { recoverParamsFiles } from '../core/runs/paramsFile.js';
import type { Command, CommandArgs } from './command.js';
import { err, out, printError } from './printer.js';
import { dataCommands } from './dataCommands.js';
import { runCommands } from './runCommands.js';
import { versioningCommands } from './versioningCommands.js';
import { remoteCommands } from './remoteCommands.js';
import { jobCommands } from './jobCommands.js';
import { modelCommands } from './modelCommands.js';
import { reportCommands } from './reportCommands.js';

const commands: readonly Command[] = [
  ...versioningCommands,
  ...remoteCommands,
  ...runCommands,
  ...jobCommands,
  ...modelCommands,
  ...reportCommands,
  ...dataCommands,
];

function usage(): string {
  const shown = commands.filter((c) => !c.hidden);
  const width = Math.max(...shown.map((c) => c.usage.length));
  return [
    'cairn: data and model versioning with Git, recorded training runs, lineage',
    '',
    'Usage:',
    ...shown.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    "Every command takes --help. Run 'cairn init' at the root of a Git repository to start.",
  ].join('\n');
}

/** Finds the longest command name that prefixes argv (so 'runs ls' beats 'runs'). */
function match(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (
      words.every((w, i) => argv[i] === w) &&
      (!best || words.length > best.command.name.split(' ').length)
    ) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

export async function main(argv: readonly string[], cwd: string): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(usage());
    return argv.length === 0 ? 1 : 0;
  }
  if (argv[0] === '--version') {
    out(`cairn ${cairnVersion()}`);
    return 0;
  }
  const found = match(argv);
  if (!found) {
    err(`cairn: unknown command '${argv.join(' ')}'; run 'cairn --help' for the list`);
    return 2;
  }
  const { command, rest } = found;
  // A run recorder that died (SIGKILL) left a params file overridden: put the user's back.
  try {
    recoverParamsFiles(findProject(cwd));
  } catch {
    /* not in a project, or nothing to do */
  }
  const dashdash = rest.indexOf('--');
  const ownArgs = dashdash === -1 ? rest : rest.slice(0, dashdash);
  if (ownArgs.includes('--help') || ownArgs.includes('-h')) {
    out(`Usage: ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    err(`cairn ${command.name}: ${(e as Error).message.split('\n')[0]}; usage: ${command.usage}`);
    return 2;
  }
  try {
    return await command.run({
      // parseArgs checked the values against command.options, whose types these are.
      values: parsed.values as CommandArgs['values'],
      positionals: parsed.positionals,
      cwd,
      argv: rest,
    });
  } catch (e) {
    printError(e);
    return e instanceof CairnError ? (e.code === 'usage' ? 2 : 1) : 70;
  }
}
