/* eslint-disable @typescript-eslint/no-require-imports -- the network stores are required lazily, on first use, from whichever build is present */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import type { RemoteConfig, SshRemoteConfig } from '../project/config.js';
import { openDirStore } from './dirStore.js';
import type * as NetworkStoresModule from './networkStores.js';
import type { RemoteShell, RemoteStore } from './store.js';

type NetworkStores = typeof NetworkStoresModule;

export interface OpenStoreOptions {
  /** A local folder (under .cairn/) where a store keeps what lets it resume an upload. */
  readonly stateDir: string;
}

/** Opens the store of a remote: a directory, an SSH host or an S3 bucket. */
export async function openStore(
  config: RemoteConfig,
  opts: OpenStoreOptions,
): Promise<RemoteStore> {
  switch (config.kind) {
    case 'dir':
      return openDirStore(config);
    case 'ssh':
      return sameErrors(await sameErrorsOf(() => loadNetworkStores().openSshStore(config)));
    case 's3':
      return sameErrors(
        await sameErrorsOf(() =>
          loadNetworkStores().openS3Store(config, { stateDir: opts.stateDir }),
        ),
      );
  }
}

/** An SSH host as a store that also runs commands (the SSH executor's). */
export async function openShell(config: SshRemoteConfig): Promise<RemoteShell> {
  const shell = await sameErrorsOf(() => loadNetworkStores().openSshShell(config));
  return {
    ...sameErrors(shell),
    root: shell.root,
    exec: (command) => sameErrorsOf(() => shell.exec(command)),
  };
}

let loaded: NetworkStores | undefined;

/**
 * ssh2 and the AWS SDK, loaded on first use: the bundled builds ship them as dist/remoteStores.js
 * beside the caller; from source they are the modules next to this file.
 */
function loadNetworkStores(): NetworkStores {
  if (loaded) return loaded;
  const bundled = path.join(__dirname, 'remoteStores.js');
  // A computed path, so that the bundler leaves the modules out of the bundle that holds this file.
  const source = path.join(__dirname, 'networkStores.js');
  loaded = require(fs.existsSync(bundled) ? bundled : source) as NetworkStores;
  return loaded;
}

/**
 * The separate bundle has its own copy of CairnError; its errors become this bundle's, so that
 * callers' `instanceof CairnError` holds.
 */
function asOwnError(err: unknown): unknown {
  if (err instanceof CairnError || !(err instanceof Error) || err.name !== 'CairnError') return err;
  const e = err as CairnError;
  const own = new CairnError(e.code, e.message, e.file, e.line);
  own.stack = e.stack ?? own.stack;
  return own;
}

async function sameErrorsOf<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asOwnError(err);
  }
}

function sameErrors(store: RemoteStore): RemoteStore {
  return {
    location: store.location,
    list: (prefix) => sameErrorsOf(() => store.list(prefix)),
    stat: (key) => sameErrorsOf(() => store.stat(key)),
    read: (key, range) => sameErrorsOf(() => store.read(key, range)),
    download: (key, file, options) => sameErrorsOf(() => store.download(key, file, options)),
    upload: (file, key, options) => sameErrorsOf(() => store.upload(file, key, options)),
    write: (key, data) => sameErrorsOf(() => store.write(key, data)),
    remove: (key) => sameErrorsOf(() => store.remove(key)),
    close: () => sameErrorsOf(() => store.close()),
  };
}
