// The three remote stores against real servers: a folder, Debian's sshd (SFTP) and s3rver (S3).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CairnError } from '../errors.js';
import type { RemoteConfig } from '../project/config.js';
import { startS3Server, type S3Server } from '../testing/s3Server.js';
import { freePort, startSshServer, type SshServer } from '../testing/sshServer.js';
import { tempDir } from '../testing/tempProject.js';
import { openS3Store } from './s3Store.js';
import { openSshStore } from './sshStore.js';
import { openStore } from './openStore.js';
import type { RemoteStore } from './store.js';

delete process.env['SSH_AUTH_SOCK'];

const base = { name: 'team', url: '', isDefault: false } as const;
const local = tempDir('cairn-stores-');

function localFile(name: string, data: Buffer | string): string {
  const f = path.join(local, name);
  fs.writeFileSync(f, data);
  return f;
}

async function rejectsWith(p: Promise<unknown>, pattern: RegExp): Promise<CairnError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CairnError, `expected a CairnError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return err;
  }
  assert.fail(`expected a rejection matching ${pattern}`);
}

interface Subject {
  /** A new store on the same remote (a second clone). */
  open(): Promise<RemoteStore>;
  /** The size of the file above which an upload goes in parts (S3) — for the large upload. */
  readonly largeSize: number;
}

/** What every store must do, the same way. */
function conformance(kind: string, subject: () => Subject): void {
  describe(`${kind} store`, () => {
    let store: RemoteStore;
    before(async () => {
      store = await subject().open();
    });
    after(async () => {
      await store.close();
    });

    it('lists nothing on a remote nothing was pushed to', async () => {
      assert.deepEqual(await store.list(''), []);
      assert.deepEqual(await store.list('cache/'), []);
      assert.equal(await store.stat('cache/nothing'), undefined);
    });

    it('lists what was written and uploaded, with sizes, under a prefix at any depth', async () => {
      await store.write('runs/r1/run.json', '{"id":"r1"}');
      await store.upload(localFile(`${kind}-obj`, Buffer.alloc(1000, 1)), 'cache/ab/cdef');
      await store.write('cache/packs/pack-1.idx', Buffer.from([1, 2, 3]));
      assert.deepEqual(await store.list('cache/'), [
        { key: 'cache/ab/cdef', size: 1000 },
        { key: 'cache/packs/pack-1.idx', size: 3 },
      ]);
      assert.deepEqual(
        (await store.list('')).map((e) => e.key),
        ['cache/ab/cdef', 'cache/packs/pack-1.idx', 'runs/r1/run.json'],
      );
      assert.equal(await store.stat('cache/ab/cdef'), 1000);
      assert.equal(await store.stat('runs/r1/run.json'), 11);
    });

    it('reads a key whole and a byte range of it', async () => {
      const data = randomBytes(300_000);
      await store.upload(localFile(`${kind}-range`, data), 'cache/range/obj');
      assert.deepEqual(await store.read('cache/range/obj'), data);
      assert.deepEqual(
        await store.read('cache/range/obj', { start: 100_000, end: 200_001 }),
        data.subarray(100_000, 200_001),
      );
      assert.equal((await store.read('runs/r1/run.json')).toString(), '{"id":"r1"}');
    });

    it('downloads a key, a range of it, and resumes a download from an offset', async () => {
      const data = randomBytes(500_000);
      await store.upload(localFile(`${kind}-dl`, data), 'cache/dl/obj');
      const out = path.join(local, `${kind}-dl.out`);
      let moved = 0;
      await store.download('cache/dl/obj', out, { onBytes: (n) => (moved += n) });
      assert.deepEqual(fs.readFileSync(out), data);
      assert.equal(moved, data.length);
      await store.download('cache/dl/obj', out, { range: { start: 1000, end: 250_000 } });
      assert.deepEqual(fs.readFileSync(out), data.subarray(1000, 250_000));
      // A download stopped after 70,000 bytes of the range goes on from there.
      fs.writeFileSync(out, data.subarray(1000, 71_000));
      await store.download('cache/dl/obj', out, {
        range: { start: 1000, end: 250_000 },
        offset: 70_000,
      });
      assert.deepEqual(fs.readFileSync(out), data.subarray(1000, 250_000));
      fs.writeFileSync(out, data.subarray(0, 123_456));
      await store.download('cache/dl/obj', out, { offset: 123_456 });
      assert.deepEqual(fs.readFileSync(out), data);
    });

    it('shows no key of a cancelled upload, and the next upload of it completes', async () => {
      const size = subject().largeSize;
      const data = randomBytes(size);
      const file = localFile(`${kind}-abort`, data);
      const ctl = new AbortController();
      let seen = 0;
      const err = await rejectsWith(
        store.upload(file, 'cache/abort/obj', {
          signal: ctl.signal,
          onBytes: (n) => {
            seen += n;
            if (seen > size / 3) ctl.abort();
          },
        }),
        /cancelled/,
      );
      assert.equal(err.code, 'remote');
      assert.equal(await store.stat('cache/abort/obj'), undefined);
      assert.ok(!(await store.list('')).some((e) => e.key.startsWith('cache/abort')));
      await store.upload(file, 'cache/abort/obj');
      assert.deepEqual(await store.read('cache/abort/obj'), data);
      assert.ok(!(await store.list('')).some((e) => /\.part$/.test(e.key)));
    });

    it('uploads a large file whole', async () => {
      const data = randomBytes(subject().largeSize + 12_345);
      await store.upload(localFile(`${kind}-large`, data), 'cache/large/obj');
      assert.equal(await store.stat('cache/large/obj'), data.length);
      assert.deepEqual(await store.read('cache/large/obj'), data);
    });

    it('two clones uploading the same key at the same moment both succeed, with its content', async () => {
      const data = randomBytes(2_000_000);
      const other = await subject().open();
      try {
        await Promise.all([
          store.upload(localFile(`${kind}-same-a`, data), 'cache/same/obj'),
          other.upload(localFile(`${kind}-same-b`, data), 'cache/same/obj'),
          store.write('runs/same/run.json', '{"same":1}'),
          other.write('runs/same/run.json', '{"same":1}'),
        ]);
      } finally {
        await other.close();
      }
      assert.deepEqual(await store.read('cache/same/obj'), data);
      assert.equal((await store.read('runs/same/run.json')).toString(), '{"same":1}');
    });

    it('removes a key; removing an absent key is not an error', async () => {
      await store.write('runs/gone/run.json', 'x');
      await store.remove('runs/gone/run.json');
      assert.equal(await store.stat('runs/gone/run.json'), undefined);
      await store.remove('runs/gone/run.json');
    });

    it('refuses a key that climbs out of the remote', async () => {
      await rejectsWith(store.write('../outside', 'x'), /not a valid key/);
    });
  });
}

let ssh: SshServer;
let s3: S3Server;
const dirRoot = path.join(local, 'dir-remote');

before(async () => {
  [ssh, s3] = await Promise.all([startSshServer(), startS3Server('cairn-test')]);
  Object.assign(process.env, ssh.env, s3.env);
});
after(async () => {
  await Promise.all([ssh.stop(), s3.stop()]);
  fs.rmSync(local, { recursive: true, force: true });
});

const stateDir = path.join(local, 'state');

conformance('dir', () => ({
  open: () => openStore({ ...base, kind: 'dir', path: dirRoot }, { stateDir }),
  largeSize: 8_000_000,
}));

const sshConfig = (): RemoteConfig & { kind: 'ssh' } => ({
  ...base,
  kind: 'ssh',
  host: 'cairn-test',
  path: path.join(ssh.root, 'team'),
});
conformance('ssh', () => ({
  open: () => openStore(sshConfig(), { stateDir }),
  largeSize: 8_000_000,
}));

const s3Config = (): RemoteConfig & { kind: 's3' } => ({
  ...base,
  kind: 's3',
  bucket: s3.bucket,
  prefix: 'team/cairn',
  endpoint: s3.endpoint,
});
const MB = 1024 * 1024;
conformance('s3', () => ({
  // Parts of 5 MB above 6 MB: the multipart path without moving 64 MB.
  open: () => openS3Store(s3Config(), { stateDir, multipartThreshold: 6 * MB, partSize: 5 * MB }),
  largeSize: 12 * MB,
}));

describe('ssh store: hosts and keys', () => {
  const withKnownHosts = async <T>(text: string, fn: () => Promise<T>): Promise<T> => {
    const file = path.join(local, `known_hosts-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, text);
    const before = process.env['CAIRN_SSH_KNOWN_HOSTS'];
    process.env['CAIRN_SSH_KNOWN_HOSTS'] = file;
    try {
      return await fn();
    } finally {
      process.env['CAIRN_SSH_KNOWN_HOSTS'] = before;
    }
  };
  const hostFingerprint = (): string => {
    const r = spawnSync('ssh-keygen', ['-l', '-f', path.join(ssh.dir, 'host_ed25519.pub')], {
      encoding: 'utf8',
    });
    return /SHA256:\S+/.exec(r.stdout)![0];
  };

  it('an unknown host key is refused with its fingerprint and the command that trusts it', async () => {
    const err = await withKnownHosts('', () => rejectsWith(openSshStore(sshConfig()), /not in/));
    assert.ok(err.message.includes(hostFingerprint()), err.message);
    assert.ok(
      err.message.includes(`ssh-keyscan -p ${ssh.port} 127.0.0.1 >> `),
      `no ssh-keyscan command in: ${err.message}`,
    );
    assert.ok(err.message.includes(`[127.0.0.1]:${ssh.port}`), err.message);
  });

  it('a changed host key is refused', async () => {
    const other = path.join(local, 'other_host_key');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const line = fs.readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const err = await withKnownHosts(`[127.0.0.1]:${ssh.port} ${line}\n`, () =>
      rejectsWith(openSshStore(sshConfig()), /CHANGED/),
    );
    assert.match(err.message, /refuses to connect/);
    assert.ok(err.message.includes(hostFingerprint()), err.message);
  });

  it('a hashed known_hosts entry is accepted', async () => {
    const file = path.join(local, 'known_hosts_hashed');
    fs.writeFileSync(file, `[127.0.0.1]:${ssh.port} ${ssh.hostPublicKey}\n`);
    spawnSync('ssh-keygen', ['-H', '-f', file]);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^\|1\|/);
    const store = await withKnownHosts(text, () => openSshStore(sshConfig()));
    assert.deepEqual(await store.list('nothing/'), []);
    await store.close();
  });

  it('the ssh config gives the host name, port, user and key', async () => {
    const store = await openSshStore(sshConfig());
    assert.equal(store.location, `ssh://${ssh.user}@cairn-test:${ssh.port}${sshConfig().path}`);
    await store.close();
  });

  it('a closed port is reported as refused, naming the host and port', async () => {
    const port = await freePort();
    await rejectsWith(
      openSshStore({ ...base, kind: 'ssh', host: '127.0.0.1', port, path: '/srv' }),
      new RegExp(`127\\.0\\.0\\.1 refused the connection on port ${port}`),
    );
  });

  it(
    'a host that never answers fails within the timeout, saying what to check',
    { timeout: 20_000 },
    async () => {
      process.env['CAIRN_REMOTE_TIMEOUT_MS'] = '1500';
      try {
        await rejectsWith(
          openSshStore({ ...base, kind: 'ssh', host: '10.255.255.1', port: 22, path: '/srv' }),
          /10\.255\.255\.1 port 22 (did not answer within 2 s|closed the connection before the SSH handshake)\. Check the host name and port/,
        );
      } finally {
        delete process.env['CAIRN_REMOTE_TIMEOUT_MS'];
      }
    },
  );

  it(
    'a port that accepts but never speaks SSH fails within the timeout',
    { timeout: 20_000 },
    async () => {
      const silent = net.createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as net.AddressInfo).port;
      process.env['CAIRN_REMOTE_TIMEOUT_MS'] = '1000';
      try {
        await rejectsWith(
          openSshStore({ ...base, kind: 'ssh', host: '127.0.0.1', port, path: '/srv' }),
          new RegExp(
            `127\\.0\\.0\\.1 port ${port} did not answer within 1 s\\. Check the host name and port`,
          ),
        );
      } finally {
        delete process.env['CAIRN_REMOTE_TIMEOUT_MS'];
        silent.close();
      }
    },
  );

  it('a key the server does not accept is reported with what to check', async () => {
    const cfg = path.join(local, 'ssh_config_wrong');
    const wrongKey = path.join(local, 'wrong_key');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
    fs.writeFileSync(
      cfg,
      `Host cairn-test\n  HostName 127.0.0.1\n  Port ${ssh.port}\n  IdentityFile ${wrongKey}\n`,
    );
    const before = process.env['CAIRN_SSH_CONFIG'];
    process.env['CAIRN_SSH_CONFIG'] = cfg;
    try {
      await rejectsWith(openSshStore(sshConfig()), /refused every key.*authorized_keys/);
    } finally {
      process.env['CAIRN_SSH_CONFIG'] = before;
    }
  });

  it('a killed upload leaves a part file that the next upload resumes from', async () => {
    const store = await openSshStore(sshConfig());
    try {
      const data = randomBytes(6_000_000);
      const file = localFile('ssh-resume', data);
      const ctl = new AbortController();
      let seen = 0;
      await rejectsWith(
        store.upload(file, 'cache/resume/obj', {
          signal: ctl.signal,
          onBytes: (n) => {
            seen += n;
            if (seen > 4_000_000) ctl.abort();
          },
        }),
        /cancelled/,
      );
      const tmp = path.join(sshConfig().path, 'tmp');
      const parts = fs.readdirSync(tmp).filter((f) => f.startsWith('obj.'));
      assert.equal(parts.length, 1);
      assert.ok(fs.statSync(path.join(tmp, parts[0]!)).size >= 4_000_000);
      let resent = 0;
      await store.upload(file, 'cache/resume/obj', { onBytes: (n) => (resent += n) });
      // It resumes a window (2 MB) before the part file's end, so it sends less than the whole file.
      assert.ok(resent < 5_000_000, `the retry sent ${resent} bytes of 6,000,000`);
      assert.deepEqual(await store.read('cache/resume/obj'), data);
      assert.deepEqual(
        fs.readdirSync(tmp).filter((f) => f.startsWith('obj.')),
        [],
      );
    } finally {
      await store.close();
    }
  });

  it('a remote path that is a file is reported as such', async () => {
    fs.writeFileSync(path.join(ssh.root, 'a-file'), 'x');
    await rejectsWith(
      openSshStore({ ...sshConfig(), path: path.join(ssh.root, 'a-file') }),
      /is a file, not a folder/,
    );
  });
});

describe('s3 store: credentials and buckets', () => {
  const withEnv = async <T>(env: Record<string, string | undefined>, fn: () => Promise<T>) => {
    const saved: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    try {
      return await fn();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  };
  const nowhere = path.join(local, 'no-such-aws-file');

  it('without credentials the error says how to give them', async () => {
    const err = await withEnv(
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SHARED_CREDENTIALS_FILE: nowhere,
        AWS_CONFIG_FILE: nowhere,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_PROFILE: undefined,
      },
      () => rejectsWith(openS3Store(s3Config()), /no AWS credentials were found/),
    );
    assert.match(err.message, /AWS_ACCESS_KEY_ID/);
    assert.match(err.message, /s3:\/\/cairn-test\/team\/cairn/);
  });

  it('wrong credentials are rejected with a message that holds no secret', async () => {
    const secret = 'wJalrXUtnFEMIK7MDENGbPxRfiCYzzzSECRET';
    const keyId = 'AKIAIOSFODNN7WRONGID';
    const err = await withEnv({ AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret }, () =>
      rejectsWith(openS3Store(s3Config()), /rejected the credentials|access denied/),
    );
    assert.ok(!err.message.includes(secret));
    assert.ok(!err.message.includes(keyId));
    assert.ok(!(err.stack ?? '').includes(secret));
  });

  it('a bucket that does not exist is named in the error', async () => {
    await rejectsWith(
      openS3Store({ ...s3Config(), bucket: 'no-such-bucket' }),
      /the bucket 'no-such-bucket' does not exist at http:\/\/127\.0\.0\.1:\d+\. Check the bucket name/,
    );
  });

  it('the test server shows an object whole or not at all, as S3 does (not while it is written)', async () => {
    const { GetObjectCommand, PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      // As the store's client: s3rver does not read the SDK's default aws-chunked checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      region: s3.env['AWS_REGION']!,
      credentials: {
        accessKeyId: s3.env['AWS_ACCESS_KEY_ID']!,
        secretAccessKey: s3.env['AWS_SECRET_ACCESS_KEY']!,
      },
    });
    const half = randomBytes(1 << 20);
    const { Readable } = await import('node:stream');
    let sentHalf!: () => void;
    const halfway = new Promise<void>((r) => (sentHalf = r));
    let resume!: () => void;
    const body = Readable.from(
      (async function* () {
        yield half;
        sentHalf();
        await new Promise<void>((r) => (resume = r));
        yield half;
      })(),
    );
    const Key = 'atomic/object.bin';
    const put = client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key, Body: body, ContentLength: 2 << 20 }),
    );
    await halfway;
    await new Promise((r) => setTimeout(r, 300)); // the server has the first half by now
    await assert.rejects(client.send(new GetObjectCommand({ Bucket: s3.bucket, Key })), {
      name: 'NoSuchKey',
    });
    resume();
    await put;
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }));
    assert.equal((await got.Body!.transformToByteArray()).length, 2 << 20);
    client.destroy();
  });

  it('an endpoint nothing listens on is reported as unreachable', async () => {
    const port = await freePort();
    await rejectsWith(
      openS3Store({ ...s3Config(), endpoint: `http://127.0.0.1:${port}` }),
      /could not be reached.*Check the endpoint/,
    );
  });
});
