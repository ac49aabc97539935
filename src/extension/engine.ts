// The entry of dist/engine.js: each feature's heavy half (panels, and the core engine with
// yaml and chokidar), loaded on first use through shared/engineLoader.ts so that
// activation reads only the light halves. Heavy halves import core directly and never a light
// module, which keeps the import graph free of cycles (scripts/checkImportCycles.mjs).
export * as data from './data/dataEngine.js';
export * as registry from './registry/registryEngine.js';
export * as runs from './runs/runsEngine.js';
export * as versioning from './versioning/versioningEngine.js';
