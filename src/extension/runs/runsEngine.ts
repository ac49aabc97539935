// The heavy half of the runs feature: the compare and lineage panels and the core functions the
// light half (commands, the run model) calls, bundled into the lazily loaded dist/engine.js (see
// src/extension/engine.ts).
export { watch as watchPaths } from 'chokidar';
export { runInputStates } from '../../core/data/runDrift.js';
export { rerunArgs } from '../../core/runs/rerunArgs.js';
export { deleteRun, listRuns, readRun, runFiles } from '../../core/runs/runStore.js';
export { readTasks } from '../../core/runs/taskConfig.js';
export { stopRun } from '../../core/runs/stopRun.js';
export { reconcileJobs } from '../../core/executors/jobs.js';
export { readExecutors, resourcesText } from '../../core/executors/executorConfig.js';
export { addTask, draftTask, taskLines } from '../../core/runs/taskDraft.js';
export { RunPanels } from './runPanels.js';
