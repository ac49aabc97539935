import * as path from 'node:path';
import type * as ExtensionCore from './extensionCore.js';

let loaded: typeof ExtensionCore | undefined;

/**
 * The core modules, loaded from dist/extensionCore.js the first time a command or a view needs
 * them. Errors thrown there are CairnErrors of that bundle's copy of the class: test them with
 * isCairnError, not instanceof.
 */
export function core(): typeof ExtensionCore {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(path.join(__dirname, 'extensionCore.js')) as typeof ExtensionCore;
  return loaded;
}
