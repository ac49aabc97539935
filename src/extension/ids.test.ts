import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ids } from './ids.js';

interface Manifest {
  publisher: string;
  name: string;
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    viewsContainers: { activitybar: { id: string }[] };
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; when?: string }[];
    menus: Record<string, { command?: string; when?: string }[]>;
    configuration: {
      properties: Record<string, { description?: string; markdownDescription?: string }>;
    };
    walkthroughs: { id: string }[];
  };
}

const manifest = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'),
) as Manifest;
const c = manifest.contributes;
const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

test('the extension id matches publisher.name', () => {
  assert.equal(ids.extension, `${manifest.publisher}.${manifest.name}`);
});

test('every command in ids is contributed, and every contributed command is in ids', () => {
  assert.deepEqual(sorted(c.commands.map((x) => x.command)), sorted(Object.values(ids.commands)));
  for (const cmd of c.commands)
    assert.equal(cmd.category, 'Cairn', `${cmd.command} has no category`);
});

test('views and the view container match', () => {
  assert.deepEqual(
    c.viewsContainers.activitybar.map((x) => x.id),
    [ids.viewContainer],
  );
  assert.deepEqual(
    sorted((c.views[ids.viewContainer] ?? []).map((v) => v.id)),
    sorted(Object.values(ids.views)),
  );
  for (const w of c.viewsWelcome) assert.ok(Object.values(ids.views).includes(w.view as never));
});

test('settings match, and each has a description', () => {
  assert.deepEqual(
    sorted(Object.keys(c.configuration.properties)),
    sorted(Object.values(ids.settings)),
  );
  for (const [key, p] of Object.entries(c.configuration.properties)) {
    assert.ok(p.description ?? p.markdownDescription, `${key} has no description`);
  }
});

test('menus name only contributed commands, and when clauses only known context keys', () => {
  const commands = new Set<string>(Object.values(ids.commands));
  const known = new Set<string>([
    ...Object.values(ids.contexts),
    ...Object.values(ids.views),
    ...Object.values(ids.commands),
  ]);
  const whens = [...Object.values(c.menus).flat(), ...c.viewsWelcome];
  for (const m of Object.values(c.menus).flat()) {
    if (m.command) assert.ok(commands.has(m.command), `menu names unknown command ${m.command}`);
  }
  for (const w of whens) {
    for (const key of w.when?.match(/\bcairn\.[\w.]+/g) ?? []) {
      // viewItem values (tree items' contextValue), not context keys
      if (/^cairn\.(artifact\.|group|run\.|task|sweep|commands)/.test(key)) continue;
      assert.ok(known.has(key), `when clause uses unknown key ${key}`);
    }
  }
});

test('activation is implicit plus workspaceContains:cairn.yaml, never "*"', () => {
  assert.deepEqual(manifest.activationEvents, ['workspaceContains:cairn.yaml']);
  assert.deepEqual(
    c.walkthroughs.map((w) => w.id),
    [ids.walkthrough],
  );
});

test('Stop Run is in the Command Palette only while a run runs', () => {
  const stop = c.menus['commandPalette']?.find((m) => m.command === ids.commands.stopRun);
  assert.match(stop?.when ?? '', new RegExp(`\\b${ids.contexts.runActive.replace('.', '\\.')}\\b`));
});

test('one Initialize Cairn button: in the Artifacts view, not again in the Runs view', () => {
  const contents = (c.viewsWelcome as { view: string; contents?: string }[]).filter((w) =>
    w.contents?.includes(`(command:${ids.commands.init})`),
  );
  assert.deepEqual(
    contents.map((w) => w.view),
    [ids.views.artifacts],
  );
});

test('no command line wording in what package.json shows (titles, welcome views, settings, walkthrough)', () => {
  const cli =
    /re-add|--force|--dry-run|\bcairn (add|run|init|checkout|push|pull|gc|status|sweep)\b/;
  const strings: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') strings.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  // taskDefinitions describe tasks.json entries, whose `args` are the command line itself.
  const { taskDefinitions: _tasks, ...shown } = c as Record<string, unknown>;
  collect(shown);
  for (const s of strings) assert.doesNotMatch(s, cli, `package.json shows CLI wording: ${s}`);
});
