// The heavy half of the versioning feature: the core functions its light half (commands, the
// artifact model) calls, bundled into the lazily loaded dist/engine.js (see src/extension/engine.ts).
export { addArtifacts } from '../../core/versioning/add.js';
export { artifactPathFrom, listArtifacts, readArtifact } from '../../core/versioning/artifacts.js';
export { checkoutArtifacts } from '../../core/versioning/checkout.js';
export { gc } from '../../core/versioning/gc.js';
export { git } from '../../core/git/git.js';
export { installHooks } from '../../core/versioning/hooks.js';
export { pull, push, remoteStatus } from '../../core/remotes/transfer.js';
export { readConfig } from '../../core/project/config.js';
export { artifactStatus } from '../../core/versioning/status.js';
export { unprotect } from '../../core/versioning/unprotect.js';
