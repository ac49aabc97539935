// What the parts of the compare page share: the view state and the host, and the rows as the
// last refresh computed them (after the filter, the brushes and the sort).
import type { CompareWebviewMessage } from '../../../src/protocol/compare.js';
import type { AppShell } from '../shared/appShell.js';
import type { Column, Model, Run } from './runModel.js';
import type { CompareViewState } from './viewState.js';

export type CompareShell = AppShell<CompareViewState, CompareWebviewMessage>;

export interface CompareRows {
  model: Model;
  /** Pinned first, then the filtered, brushed and sorted rest: what the table shows. */
  view: Run[];
  /** After the text filter, before the brushes: what the plots show. */
  filtered: Run[];
  visibleColumns: Column[];
  /** The runs the step charts show, and the colour index of each (runColors.ts). */
  charted: Run[];
  colors: Map<string, number>;
}

/** A pane of the compare page's bottom tabs. */
export interface ComparePane {
  readonly element: HTMLElement;
  /** Draws the pane for the current rows. */
  update(rows: CompareRows): void;
}
