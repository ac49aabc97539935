// The drift page's header: the title, the plain-language summary, the two versions (each with a
// button that opens its profile) and what the thresholds are.
import type { DriftSide, DriftState, DriftVersion } from '../../../src/protocol/drift.js';
import { codiconButton } from '../shared/codiconButton.js';
import { h } from '../shared/dom.js';
import { pageHead } from '../shared/pageHead.js';
import { formatCount, percent } from '../shared/statCharts.js';
import { versionHeading, versionName } from './driftFormat.js';

export class DriftHeader {
  private readonly title = h('h1', { className: 'title' }, 'Drift');
  private readonly summary = h('p', { className: 'summary' });
  private readonly versions = h('div', { className: 'versions' });
  private readonly thresholdNote = h('p', { className: 'muted threshold-note' });
  readonly element: HTMLElement;

  constructor(
    actions: HTMLElement[],
    status: HTMLElement,
    private readonly openProfile: (side: DriftSide) => void,
  ) {
    this.element = pageHead(
      this.title,
      actions,
      status,
      this.summary,
      this.versions,
      this.thresholdNote,
    );
  }

  render(s: DriftState): void {
    this.title.textContent = `Drift: ${s.path}`;
    this.title.title = s.path;
    const flagged = s.columns.filter((c) => c.drifted).length;
    this.summary.className = `summary ${flagged > 0 ? 'drifted' : 'ok'}`;
    this.summary.replaceChildren(
      h('span', {
        className: `codicon codicon-${flagged > 0 ? 'warning' : 'pass'}`,
        'aria-hidden': 'true',
      }),
      ' ',
      s.summary,
    );
    const unit = s.images === null ? 'rows' : 'images';
    this.versions.replaceChildren(
      this.versionBlock('from', s.from, unit),
      h('span', { className: 'codicon codicon-arrow-right muted', 'aria-hidden': 'true' }),
      this.versionBlock('to', s.to, unit),
    );
    const t = s.thresholds;
    this.thresholdNote.textContent = `A column is flagged at PSI ≥ ${t.psi}, a KS test with p < ${t.ksPValue} and D ≥ ${t.ksStatistic}, a change in missing values of ${percent(t.missingRateChange)} or more, new or vanished categories, or a new type.`;
  }

  private versionBlock(side: DriftSide, v: DriftVersion, unit: string): HTMLElement {
    const heading = versionHeading(v);
    const open = codiconButton('graph', 'Profile', {
      title: `Open the profile of ${versionName(v)}`,
    });
    open.addEventListener('click', () => this.openProfile(side));
    return h(
      'div',
      { className: `version ${side}` },
      h('span', { className: `legend-swatch ${side}`, 'aria-hidden': 'true' }),
      h('span', { className: 'muted' }, side === 'from' ? 'From ' : 'To '),
      h('strong', { title: v.commit ?? '' }, heading.label),
      heading.rev === null ? null : h('code', { className: 'commit' }, heading.rev),
      h('span', { className: 'muted' }, `${formatCount(v.rows)} ${unit}`),
      open,
    );
  }
}
