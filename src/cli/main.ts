import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { CairnError } from '../core/errors.js';
import { findProject } from '../core/project/project.js';
import { cairnVersion } from '../core/version.js';
import type { Command, CommandArgs } from './command.js';
import { err, out, printError } from './printer.js';

/**
 * The commands, by the module that defines them. A command loads only its own module (esbuild
 * keeps the evaluation of a dynamically imported module and its imports lazy), which keeps the
 * start-up of the common commands short. The names must be the modules' own (a test holds them);
 * `cairn --help` lists the commands in the order the modules define them.
 */
export const commandGroups: readonly {
  readonly names: readonly string[];
  load(): Promise<readonly Command[]>;
}[] = [
  {
    names: [
      'init',
      'add',
      'status',
      'checkout',
      'unprotect',
      'log',
      'diff',
      'gc',
      'fsck',
      'hooks install',
      'hooks run',
    ],
    load: async () => (await import('./versioningCommands.js')).versioningCommands,
  },
  {
    names: ['push', 'pull', 'remote add', 'remote ls', 'remote rm', 'remote default'],
    load: async () => (await import('./remoteCommands.js')).remoteCommands,
  },
  {
    names: [
      'run',
      'sweep',
      'runs ls',
      'runs show',
      'runs compare',
      'runs rm',
      'lineage',
      'reproduce',
    ],
    load: async () => (await import('./runCommands.js')).runCommands,
  },
  {
    names: ['runs stop', '_job', '_ssh-job'],
    load: async () => (await import('./jobCommands.js')).jobCommands,
  },
  {
    names: ['model register', 'model promote', 'model demote', 'model ls', 'model get', 'check'],
    load: async () => (await import('./modelCommands.js')).modelCommands,
  },
  {
    names: ['report', 'ci init', 'ci run', 'ci comment', 'maturity'],
    load: async () => (await import('./reportCommands.js')).reportCommands,
  },
  {
    names: ['profile', 'drift', 'model inspect', 'model score', 'model eval'],
    load: async () => (await import('./dataCommands.js')).dataCommands,
  },
];

async function allCommands(): Promise<Command[]> {
  return (await Promise.all(commandGroups.map((g) => g.load()))).flat();
}

async function usage(): Promise<string> {
  const shown = (await allCommands()).filter((c) => !c.hidden);
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

/** Finds the longest command name that prefixes argv (so 'runs ls' beats 'runs'), and loads it. */
async function match(
  argv: readonly string[],
): Promise<{ command: Command; rest: string[] } | undefined> {
  let best: { name: string; group: (typeof commandGroups)[number] } | undefined;
  for (const group of commandGroups)
    for (const name of group.names) {
      const words = name.split(' ');
      if (
        words.every((w, i) => argv[i] === w) &&
        (!best || words.length > best.name.split(' ').length)
      )
        best = { name, group };
    }
  if (!best) return undefined;
  const { name } = best;
  const command = (await best.group.load()).find((c) => c.name === name);
  return command && { command, rest: argv.slice(name.split(' ').length) };
}

export async function main(argv: readonly string[], cwd: string): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(await usage());
    return argv.length === 0 ? 1 : 0;
  }
  if (argv[0] === '--version') {
    out(`cairn ${cairnVersion()}`);
    return 0;
  }
  const found = await match(argv);
  if (!found) {
    err(`cairn: unknown command '${argv.join(' ')}'; run 'cairn --help' for the list`);
    return 2;
  }
  const { command, rest } = found;
  // A run recorder that died (SIGKILL) left a params file overridden: put the user's back.
  try {
    const project = findProject(cwd);
    if (fs.readdirSync(project.paramsLockDir).length > 0)
      (await import('../core/runs/paramsFile.js')).recoverParamsFiles(project);
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
