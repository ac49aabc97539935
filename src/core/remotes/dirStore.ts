// A remote that is a directory: local disk, NFS or a mounted share.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { CairnError, fromSystemError } from '../errors.js';
import type { DirRemoteConfig } from '../project/config.js';
import type {
  ByteRange,
  DownloadOptions,
  RemoteEntry,
  RemoteStore,
  TransferOptions,
} from './store.js';
import {
  cancelled,
  claimUploadTemp,
  checkKey,
  isTmpKey,
  throwIfAborted,
  writeTempName,
} from './storeCommon.js';

export function openDirStore(config: Pick<DirRemoteConfig, 'path'>): Promise<RemoteStore> {
  return Promise.resolve(new DirStore(path.resolve(config.path)));
}

class DirStore implements RemoteStore {
  constructor(private readonly root: string) {}

  get location(): string {
    return this.root;
  }

  private file(key: string, isPrefix = false): string {
    checkKey(this.root, key, isPrefix);
    return path.join(this.root, ...key.split('/').filter((p) => p !== ''));
  }

  async list(prefix: string): Promise<RemoteEntry[]> {
    const dir = this.file(prefix, true);
    const out: RemoteEntry[] = [];
    const walk = async (abs: string, rel: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(abs, { withFileTypes: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code === 'ENOTDIR')
          throw new CairnError(
            'remote',
            `${abs} is a file, not a folder; point the remote at a folder`,
            abs,
          );
        throw fromSystemError(err, abs, 'Listing');
      }
      for (const e of entries) {
        const key = rel + e.name;
        if (isTmpKey(key)) continue;
        const p = path.join(abs, e.name);
        if (e.isDirectory()) await walk(p, `${key}/`);
        else if (e.isFile()) out.push({ key, size: (await fs.promises.stat(p)).size });
      }
    };
    await walk(dir, prefix.endsWith('/') || prefix === '' ? prefix : `${prefix}/`);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async stat(key: string): Promise<number | undefined> {
    const file = this.file(key);
    try {
      const st = await fs.promises.stat(file);
      return st.isFile() ? st.size : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fromSystemError(err, file, 'Reading');
    }
  }

  async read(key: string, range?: ByteRange): Promise<Buffer> {
    const file = this.file(key);
    try {
      if (!range) return await fs.promises.readFile(file);
      const fh = await fs.promises.open(file, 'r');
      try {
        const buf = Buffer.alloc(range.end - range.start);
        let done = 0;
        while (done < buf.length) {
          const { bytesRead } = await fh.read(buf, done, buf.length - done, range.start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return buf.subarray(0, done);
      } finally {
        await fh.close();
      }
    } catch (err) {
      throw fromSystemError(err, file, 'Reading');
    }
  }

  async download(
    key: string,
    localFile: string,
    options: TransferOptions & DownloadOptions = {},
  ): Promise<void> {
    const file = this.file(key);
    throwIfAborted(this.root, options.signal);
    const offset = options.offset ?? 0;
    const start = (options.range?.start ?? 0) + offset;
    const end = options.range?.end;
    if (end !== undefined && start >= end) {
      if (offset === 0) await fs.promises.writeFile(localFile, '');
      return;
    }
    try {
      await pipeline(
        fs.createReadStream(file, { start, ...(end !== undefined ? { end: end - 1 } : {}) }),
        progress(options.onBytes, options.onData),
        fs.createWriteStream(localFile, { flags: offset > 0 ? 'a' : 'w' }),
        { signal: options.signal },
      );
    } catch (err) {
      if (options.signal?.aborted) throw cancelled(this.root);
      throw fromSystemError(err, file, 'Downloading');
    }
  }

  async upload(localFile: string, key: string, options: TransferOptions = {}): Promise<void> {
    const target = this.file(key);
    throwIfAborted(this.root, options.signal);
    const claim = claimUploadTemp(this.root, key, localFile);
    const temp = this.file(claim.temp);
    try {
      await fs.promises.mkdir(path.dirname(temp), { recursive: true });
      let have = 0;
      try {
        have = (await fs.promises.stat(temp)).size;
      } catch {
        // no earlier attempt to resume
      }
      const size = (await fs.promises.stat(localFile)).size;
      if (have > size) have = 0;
      if (have < size || size === 0)
        await pipeline(
          fs.createReadStream(localFile, { start: have }),
          progress(options.onBytes),
          fs.createWriteStream(temp, { flags: have > 0 ? 'r+' : 'w', start: have }),
          { signal: options.signal },
        );
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.rename(temp, target);
    } catch (err) {
      if (options.signal?.aborted) throw cancelled(this.root);
      throw fromSystemError(err, target, 'Uploading to');
    } finally {
      claim.release();
    }
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    const target = this.file(key);
    const temp = this.file(writeTempName(key));
    try {
      await fs.promises.mkdir(path.dirname(temp), { recursive: true });
      await fs.promises.writeFile(temp, data);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.rename(temp, target);
    } catch (err) {
      await fs.promises.rm(temp, { force: true }).catch(() => undefined);
      throw fromSystemError(err, target, 'Writing');
    }
  }

  async remove(key: string): Promise<void> {
    const file = this.file(key);
    try {
      await fs.promises.rm(file, { force: true });
    } catch (err) {
      throw fromSystemError(err, file, 'Removing');
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A pass-through stream that reports the bytes going through it (and, with onData, the bytes). */
export function progress(
  onBytes: ((n: number) => void) | undefined,
  onData?: (chunk: Buffer) => void,
): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onData?.(chunk);
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
}
