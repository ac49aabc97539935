// Interim: a directory store only; the SSH and S3 stores replace this file (branch 'stores').
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { tmpSuffix } from '../fsSafe.js';
import type { RemoteConfig } from '../project/config.js';
import type { RemoteEntry, RemoteStore } from './store.js';

export function openStore(config: RemoteConfig, _opts: { stateDir: string }): Promise<RemoteStore> {
  if (config.kind !== 'dir')
    return Promise.reject(new CairnError('remote', `${config.url}: not supported yet`));
  const root = config.path;
  const abs = (key: string): string => path.join(root, ...key.split('/'));
  const tmp = (): string => {
    fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
    return path.join(root, 'tmp', tmpSuffix());
  };
  const store: RemoteStore = {
    location: root,
    list(prefix) {
      const out: RemoteEntry[] = [];
      const walk = (rel: string): void => {
        let ents: fs.Dirent[];
        try {
          ents = fs.readdirSync(abs(rel), { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of ents) {
          const k = `${rel}${e.name}`;
          if (e.isDirectory()) walk(`${k}/`);
          else if (e.isFile()) out.push({ key: k, size: fs.statSync(abs(k)).size });
        }
      };
      walk(prefix);
      return Promise.resolve(out);
    },
    stat(key) {
      return Promise.resolve(fs.statSync(abs(key), { throwIfNoEntry: false })?.size);
    },
    read(key, range) {
      const b = fs.readFileSync(abs(key));
      return Promise.resolve(range ? b.subarray(range.start, range.end) : b);
    },
    download(key, localFile, o = {}) {
      const b = fs.readFileSync(abs(key));
      const r = o.range ? b.subarray(o.range.start, o.range.end) : b;
      const rest = r.subarray(o.offset ?? 0);
      fs.appendFileSync(localFile, rest);
      o.onBytes?.(rest.length);
      return Promise.resolve();
    },
    upload(localFile, key, o = {}) {
      const t = tmp();
      fs.copyFileSync(localFile, t);
      fs.mkdirSync(path.dirname(abs(key)), { recursive: true });
      fs.renameSync(t, abs(key));
      o.onBytes?.(fs.statSync(abs(key)).size);
      return Promise.resolve();
    },
    write(key, data) {
      const t = tmp();
      fs.writeFileSync(t, data);
      fs.mkdirSync(path.dirname(abs(key)), { recursive: true });
      fs.renameSync(t, abs(key));
      return Promise.resolve();
    },
    remove(key) {
      fs.rmSync(abs(key), { force: true });
      return Promise.resolve();
    },
    close() {
      return Promise.resolve();
    },
  };
  return Promise.resolve(store);
}
