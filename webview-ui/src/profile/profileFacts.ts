// The facts line under the profile page's title: the version and what was profiled, how big, how fast.
import type { ProfileState } from '../../../src/protocol/profile.js';
import { h } from '../shared/dom.js';
import { formatBytes, formatCount } from '../shared/statCharts.js';
import { shortHash } from '../shared/shortHash.js';

function fact(label: string, value: string): HTMLElement {
  return h('span', { className: 'fact' }, h('span', { className: 'muted' }, `${label} `), value);
}

/** The facts of a profile, as elements of the facts line. */
export function profileFacts(s: ProfileState): HTMLElement[] {
  const p = s.profile;
  const version = s.rev === 'workspace' ? 'work tree' : s.rev;
  const items: HTMLElement[] = [
    fact('version', s.commit === null ? version : `${version} (${shortHash(s.commit)})`),
  ];
  if (p.kind === 'table') {
    items.push(
      fact('rows', formatCount(p.rows)),
      fact('columns', formatCount(p.columns.length)),
      fact('size', formatBytes(p.sizeBytes)),
      fact('format', p.format.toUpperCase()),
      fact('backend', p.backend),
      fact('took', `${formatCount(p.durationMs)} ms`),
    );
  } else {
    items.push(
      fact('images', formatCount(p.count)),
      fact('size', formatBytes(p.sizeBytes)),
      fact('classes', formatCount(p.classes.length)),
    );
    if (p.unreadable > 0) items.push(fact('unreadable', formatCount(p.unreadable)));
    items.push(fact('took', `${formatCount(p.durationMs)} ms`));
  }
  return items;
}
