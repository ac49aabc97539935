import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { writeFileAtomic } from '../fsSafe.js';
import type { RemoteConfig } from '../project/config.js';
import type { Project } from '../project/project.js';
import type { Hash } from '../versioning/cache.js';
import { indexEntries } from '../versioning/pack.js';
import type { RemoteEntry, RemoteStore } from './store.js';

/*
 * A remote has the layout of a local cache, so the same pack format serves both:
 *
 *   cache/<2 hex>/<62 hex>           a loose object (large ones, and what older versions pushed)
 *   cache/packs/pack-<id>.pack|.idx  packs of small objects (see versioning/pack.ts)
 *   runs/<run id>/<file>             finished run records; run.json is written last
 *
 * Every cache key is written once. An index is uploaded after its pack, so an index in view always
 * has its whole pack; readers ignore a pack without an index (a push killed between the two).
 */

export const CACHE_PREFIX = 'cache/';
export const RUNS_PREFIX = 'runs/';
const LOOSE_KEY = /^cache\/([0-9a-f]{2})\/([0-9a-f]{62})$/;
const IDX_KEY = /^cache\/packs\/(pack-[0-9a-f]{64})\.idx$/;
const RUN_KEY = /^runs\/([A-Za-z0-9][A-Za-z0-9._-]*)\/(.+)$/;

export function looseKey(hash: Hash): string {
  return `${CACHE_PREFIX}${hash.slice(0, 2)}/${hash.slice(2)}`;
}

export function packKey(name: string): string {
  return `${CACHE_PREFIX}packs/${name}`;
}

/** Where an object lies on the remote: a key of its own, or a range of a pack. */
export type RemoteObject =
  | { readonly key: string; readonly size: number }
  | { readonly key: string; readonly size: number; readonly offset: number };

/** What a remote holds, read with one listing of cache/ and one of runs/. */
export interface Inventory {
  readonly objects: Map<Hash, RemoteObject>;
  /** Run ids whose record is complete (run.json is there), with their files. */
  readonly runs: Map<string, RemoteEntry[]>;
}

/** A folder of this clone's for what it keeps about a remote (pack indexes, upload state). */
export function remoteStateDir(project: Project, remote: RemoteConfig): string {
  return path.join(project.dataDir, 'remotes', remote.name);
}

/**
 * Lists the remote. Pack indexes never change, so each is fetched once and kept in this clone's
 * state folder for the remote; a kept one that is corrupt is fetched again.
 */
export async function readInventory(
  project: Project,
  remote: RemoteConfig,
  store: RemoteStore,
): Promise<Inventory> {
  const [cacheEntries, runEntries] = await Promise.all([
    store.list(CACHE_PREFIX),
    store.list(RUNS_PREFIX),
  ]);
  const objects = new Map<Hash, RemoteObject>();
  const sizes = new Map(cacheEntries.map((e) => [e.key, e.size]));
  const idxDir = path.join(remoteStateDir(project, remote), 'packs');
  const indexes: string[] = [];
  for (const e of cacheEntries) {
    const loose = LOOSE_KEY.exec(e.key);
    if (loose) objects.set(loose[1]! + loose[2]!, { key: e.key, size: e.size });
    const idx = IDX_KEY.exec(e.key);
    if (idx) indexes.push(idx[1]!);
  }
  await Promise.all(
    indexes.map(async (name) => {
      const key = packKey(`${name}.pack`);
      const packSize = sizes.get(key);
      if (packSize === undefined) return; // an index whose pack was removed: nothing to read
      const entries = await packIndex(store, key.slice(0, -'.pack'.length) + '.idx', idxDir, name);
      for (const o of entries) {
        if (o.offset + o.length > packSize) {
          throw new CairnError(
            'corrupt-object',
            `Pack ${store.location}/${key} is shorter than its index says; remove the pack and its index from the remote and push again`,
          );
        }
        if (!objects.has(o.hash)) objects.set(o.hash, { key, size: o.length, offset: o.offset });
      }
    }),
  );
  const runs = new Map<string, RemoteEntry[]>();
  for (const e of runEntries) {
    const m = RUN_KEY.exec(e.key);
    if (!m) continue;
    const files = runs.get(m[1]!) ?? [];
    files.push(e);
    runs.set(m[1]!, files);
  }
  for (const [id, files] of runs) {
    if (!files.some((f) => f.key === `${RUNS_PREFIX}${id}/run.json`)) runs.delete(id);
  }
  return { objects, runs };
}

async function packIndex(
  store: RemoteStore,
  key: string,
  idxDir: string,
  name: string,
): Promise<ReturnType<typeof indexEntries>> {
  const local = path.join(idxDir, `${name}.idx`);
  try {
    return indexEntries(fs.readFileSync(local), local);
  } catch {
    // not fetched yet, or damaged since: fetch it again
  }
  const data = await store.read(key);
  const entries = indexEntries(data, `${store.location}/${key}`);
  fs.mkdirSync(idxDir, { recursive: true });
  writeFileAtomic(local, data);
  return entries;
}
