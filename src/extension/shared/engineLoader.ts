import * as path from 'node:path';
import type * as EngineModule from '../engine.js';

/** The features' heavy halves (src/extension/engine.ts). */
export type Engine = typeof EngineModule;

let loaded: Engine | undefined;

/**
 * The heavy halves, loaded from dist/engine.js the first time a command, view or panel needs
 * them. Modules both bundles use are in dist/kernel.js once (scripts/build.mjs), so a CairnError
 * thrown in the engine is `instanceof CairnError` here too.
 */
export function engine(): Engine {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(path.join(__dirname, 'engine.js')) as Engine;
  return loaded;
}

/** Whether the heavy halves have been loaded yet (activation must not load them). */
export function engineLoaded(): boolean {
  return loaded !== undefined;
}
