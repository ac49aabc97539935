import type { Container } from '../container.js';
import { engine } from '../shared/engineLoader.js';
import { registerDataCommands } from './dataCommands.js';
import type { DataPanels } from './dataPanels.js';

/** What the data feature shows, for the host tests (through activate()'s API). */
export interface DataSurfaces {
  /** The profile and drift panels, built (from the lazily loaded engine) on first use. */
  readonly panels: () => DataPanels;
}

/** Data: the profile and drift commands and panels. */
export function register(c: Container): DataSurfaces {
  let panels: DataPanels | undefined;
  const dataPanels = (): DataPanels => (panels ??= c.own(new (engine().data.DataPanels)(c)));
  for (const d of registerDataCommands(c, dataPanels)) c.own(d);
  return { panels: dataPanels };
}
