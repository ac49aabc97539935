// What the trees and notifications show of names that carry terminal control characters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeMessage, safeTreeItem } from './safeText.js';

test('a run name with an ESC sequence and a bidi override shows them as escapes in the tree', () => {
  const tooltip = { value: '**evil\x1b[31m** — completed\n\n| lr | 0.1\u202e |' };
  const item = safeTreeItem({
    label: 'evil\x1b[31mred\x1b[0m',
    description: 'drifted: col\rumn',
    tooltip,
  });
  assert.equal(item.label, 'evil\\x1b[31mred\\x1b[0m');
  assert.equal(item.description, 'drifted: col\\rumn');
  // Newlines of the Markdown tooltip stay; the control characters do not.
  assert.equal(tooltip.value, '**evil\\x1b[31m** — completed\n\n| lr | 0.1\\u202e |');
});

test('a highlighted label and a plain tooltip are escaped too; plain text is left as it is', () => {
  const item = safeTreeItem({
    label: { label: 'data/\x07bell.csv', highlights: [[0, 4]] as [number, number][] },
    description: 'ok',
    tooltip: 'line one\nline\x1b two',
  });
  assert.deepEqual(item.label, { label: 'data/\\x07bell.csv', highlights: [[0, 4]] });
  assert.equal(item.description, 'ok');
  assert.equal(item.tooltip, 'line one\nline\\x1b two');
});

test('a notification naming a file with an OSC-8 link shows its escapes, keeping newlines', () => {
  assert.equal(
    safeMessage('Cairn: tracked data/a\x1b]8;;http://x\x07b.csv\nnext'),
    'Cairn: tracked data/a\\x1b]8;;http://x\\x07b.csv\nnext',
  );
});
