// Test support: an S3 API server (s3rver, from npm) in its own process on a loopback port, with a
// bucket made for the test in a temporary folder. Used by *.test.ts only.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopServer } from './sshServer.js';
import { REPO_ROOT, tempDir } from './tempProject.js';

export interface S3Server {
  /** 'http://127.0.0.1:<port>' */
  readonly endpoint: string;
  readonly bucket: string;
  /** The credentials and region the SDK's default chain should find (s3rver's fixed pair). */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/*
 * S3 makes an object visible whole or not at all; s3rver 3.7 writes it in place, so a reader (or
 * a client killed in the middle of an upload, or of a multipart upload's completion) could see
 * part of one. Its file store's putObject is wrapped to write beside the object and rename.
 */
const SERVER = `
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const fs = require('node:fs');
const putObject = FilesystemStore.prototype.putObject;
FilesystemStore.prototype.putObject = async function (object) {
  const real = this.getResourcePath(object.bucket, object.key, 'object');
  const tmp = real + '.' + process.pid + '.' + Math.random().toString(36).slice(2) + '.tmp';
  const getResourcePath = this.getResourcePath;
  const store = Object.create(this);
  store.getResourcePath = (bucket, key, resource) =>
    bucket === object.bucket && key === object.key && resource === 'object'
      ? tmp
      : getResourcePath.call(this, bucket, key, resource);
  try {
    const result = await putObject.call(store, object);
    // putObject returns once the bytes are handed to its write stream, not written.
    for (let i = 0; i < 2000 && fs.statSync(tmp).size < result.size; i++)
      await new Promise((r) => setTimeout(r, 5));
    fs.renameSync(tmp, real);
    return result;
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
};
const [dir, bucket] = process.argv.slice(1);
new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: [{ name: bucket }] })
  .run()
  .then((addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + '\\n'))
  .catch((err) => { console.error(err); process.exit(1); });
`;

export async function startS3Server(bucket = 'cairn-test'): Promise<S3Server> {
  const dir = tempDir('cairn-s3rver-');
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  const child = spawn(process.execPath, ['-e', SERVER, data, bucket], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}): ${stderr}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    env: {
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    },
    stop: () => stopServer(child, dir),
  };
}
