// The heavy half of the data feature: the profile and drift panels and the core functions the
// data commands call, bundled into the lazily loaded dist/engine.js (see src/extension/engine.ts).
export { folderContents, filesUnder } from '../../core/data/profile.js';
export { assessRunInputs } from '../../core/data/runDrift.js';
export { readRun } from '../../core/runs/runStore.js';
export { listArtifacts } from '../../core/versioning/artifacts.js';
export { DataPanels } from './dataPanels.js';
