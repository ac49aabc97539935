// The core functions the extension calls, bundled on their own into dist/extensionCore.js and
// loaded on first use (lazyCore.ts): activation then reads and compiles only the extension's
// own code, not simple-git, yaml and the versioning engine.
export * as add from '../../core/versioning/add.js';
export * as artifacts from '../../core/versioning/artifacts.js';
export * as checkout from '../../core/versioning/checkout.js';
export * as gc from '../../core/versioning/gc.js';
export * as git from '../../core/git/git.js';
export * as hooks from '../../core/versioning/hooks.js';
export * as remote from '../../core/versioning/remote.js';
export * as status from '../../core/versioning/status.js';
export * as compare from '../../core/runs/compare.js';
export * as lineage from '../../core/lineage/lineageGraph.js';
export * as runStore from '../../core/runs/runStore.js';
export * as runDrift from '../../core/data/runDrift.js';
export * as profile from '../../core/data/profile.js';
export * as drift from '../../core/data/drift.js';
export * as datasetVersion from '../../core/data/datasetVersion.js';
export * as history from '../../core/versioning/history.js';
export * as taskConfig from '../../core/runs/taskConfig.js';
export { watch as watchPaths } from 'chokidar';
export { RunPanels } from '../webviews/runPanels.js';
export { DataPanels } from '../webviews/dataPanels.js';
