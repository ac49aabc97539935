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
    walkthroughs: {
      id: string;
      steps: {
        id: string;
        description: string;
        media: { image?: string; altText?: string; markdown?: string };
        completionEvents?: string[];
      }[];
    }[];
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
      if (/^cairn\.(artifact\.|group|run\.|task|sweep|commands|model)/.test(key)) continue;
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

test('each walkthrough step checks itself off when done, its button runs a command, its image is real', () => {
  const steps = c.walkthroughs[0]!.steps;
  const contexts = new Set<string>(Object.values(ids.contexts));
  const commands = new Set<string>(Object.values(ids.commands));
  for (const step of steps) {
    const events = step.completionEvents ?? [];
    assert.ok(events.length > 0, `${step.id} has completion events`);
    for (const e of events) {
      const [kind, name = ''] = e.split(/:(.*)/s);
      if (kind === 'onContext')
        assert.ok(contexts.has(name), `${step.id}: unknown context ${name}`);
      else if (kind === 'onCommand')
        assert.ok(commands.has(name), `${step.id}: unknown command ${name}`);
      else assert.fail(`${step.id}: unexpected completion event ${e}`);
    }
    // A button is a link to a contributed command.
    const links = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]!);
    assert.equal(links.length, 1, `${step.id} has one button`);
    assert.ok(commands.has(links[0]!), `${step.id}'s button runs ${links[0]}, not contributed`);
    // A real picture with words for screen readers, small enough for the package.
    const image = step.media.image ?? '';
    assert.match(image, /^media\/walkthrough\/[\w-]+\.png$/, `${step.id} shows an image`);
    const bytes = fs.readFileSync(path.join(__dirname, '..', '..', image));
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', `${image} is a PNG`);
    assert.ok(bytes.length < 200_000, `${image} is ${bytes.length} bytes`);
    assert.ok((step.media.altText ?? '').length > 20, `${step.id} describes its image`);
  }
  // The first hour: done when the thing is done (a context key), not when a button was clicked.
  const byId = new Map(steps.map((s) => [s.id, s]));
  const expected: [string, string, string][] = [
    ['init', ids.contexts.projectOpen, ids.commands.init],
    ['track', ids.contexts.hasArtifacts, ids.commands.track],
    ['task', ids.contexts.hasTasks, ids.commands.createTask],
    ['run', ids.contexts.hasRuns, ids.commands.runTask],
  ];
  for (const [id, context, command] of expected) {
    const step = byId.get(id);
    assert.ok(step, `a ${id} step`);
    assert.deepEqual(step.completionEvents, [`onContext:${context}`]);
    assert.ok(step.description.includes(`(command:${command})`), `${id} runs ${command}`);
  }
  assert.ok(byId.get('compare')?.description.includes(`(command:${ids.commands.compare})`));
});
