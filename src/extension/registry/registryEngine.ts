// The heavy half of the registry feature: the core functions its light half calls, bundled into
// the lazily loaded dist/engine.js (see src/extension/engine.ts).
export {
  demoteModel,
  promoteModel,
  readRegistry,
  registerModel,
} from '../../core/registry/registry.js';
export { checkModels } from '../../core/registry/modelCheck.js';
export { assessMaturity, maturityMarkdown } from '../../core/maturity/maturity.js';
