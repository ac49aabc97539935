// The drift webview: what changed in a dataset between two versions. A plain-language summary,
// the two versions, a table of columns (flagged first) and, for the selected column, both versions
// side by side. The host owns the report; this page keeps only view state (getState/setState).
import {
  isDriftHostMessage,
  type DriftHostMessage,
  type DriftState,
  type DriftWebviewMessage,
} from '../../../src/protocol/drift.js';
import { startApp, type AppShell } from '../shared/appShell.js';
import { codiconButton } from '../shared/codiconButton.js';
import { h } from '../shared/dom.js';
import { columnFilter } from '../shared/columnFilter.js';
import { LoadStatus } from '../shared/loadStatus.js';
import { columnDetails } from './columnDetails.js';
import { ColumnTable } from './columnTable.js';
import { DriftHeader } from './driftHeader.js';
import { restoreDriftViewState, type DriftViewState } from './driftViewState.js';

function mountDrift(
  shell: AppShell<DriftViewState, DriftWebviewMessage>,
): (m: DriftHostMessage) => void {
  const vs = shell.view;
  let state: DriftState | undefined;
  let firstState = true;

  const reloadButton = codiconButton('refresh', 'Compare again', {
    title: 'Compare the two versions again',
  });
  reloadButton.addEventListener('click', () => shell.post({ type: 'drift/report/reload' }));
  const status = new LoadStatus(reloadButton, {
    first: 'Comparing the two versions…',
    again: 'Comparing again…',
  });
  const header = new DriftHeader([reloadButton], status.element, (side) =>
    shell.post({ type: 'drift/profile/open', side }),
  );
  const table = new ColumnTable((name) => select(name));
  const search = columnFilter(shell, renderTable, () => {
    table.focus();
    const shown = table.columns;
    if (shown.length > 0 && !shown.some((c) => c.name === vs.selected)) select(shown[0]!.name);
  });
  const onlyBox = h('input', { type: 'checkbox', id: 'only-drifted' });
  onlyBox.checked = vs.onlyDrifted;
  onlyBox.addEventListener('change', () => {
    vs.onlyDrifted = onlyBox.checked;
    shell.save();
    renderTable();
  });
  const countText = h('span', { className: 'muted count' });
  const details = h('aside', { className: 'details', 'aria-label': 'Column details' });
  document.body.append(
    h(
      'div',
      { className: 'app' },
      header.element,
      h(
        'div',
        { className: 'toolbar' },
        search,
        h('label', { for: 'only-drifted' }, onlyBox, 'Only drifted columns'),
        h('span', { className: 'grow' }),
        countText,
      ),
      h(
        'div',
        { className: 'main' },
        h('div', { className: 'table-wrap' }, table.element),
        details,
      ),
    ),
  );

  function renderTable(): void {
    if (state === undefined) return;
    countText.textContent = table.render(state, vs.filter, vs.onlyDrifted, vs.selected);
  }

  function renderDetails(): void {
    details.replaceChildren(
      ...columnDetails(
        state,
        state?.columns.find((c) => c.name === vs.selected),
      ),
    );
  }

  function select(name: string | null, announce = true): void {
    if (vs.selected !== name) {
      vs.selected = name;
      shell.save();
      if (announce) shell.post({ type: 'drift/column/select', column: name });
    }
    table.markSelected(name, true);
    renderDetails();
  }

  renderDetails();
  return (m) =>
    status.handle(m, (next) => {
      state = next;
      header.render(next);
      // The first time, show the most drifted column unless the user had chosen one.
      if (
        firstState &&
        (vs.selected === null || !next.columns.some((c) => c.name === vs.selected))
      ) {
        vs.selected = next.columns[0]?.name ?? null;
        shell.save();
      }
      firstState = false;
      renderTable();
      select(vs.selected, false);
    });
}

startApp({ restore: restoreDriftViewState, isMessage: isDriftHostMessage, mount: mountDrift });
