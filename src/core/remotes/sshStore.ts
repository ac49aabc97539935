// A remote over SFTP: ssh2 as the client, keys from the agent and ~/.ssh, host keys checked
// against known_hosts, uploads to a temp file renamed into place, pipelined reads and writes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex, Writable } from 'node:stream';
import { Client, type ConnectConfig, type SFTPWrapper, type Stats } from 'ssh2';
import { CairnError } from '../errors.js';
import type { SshRemoteConfig } from '../project/config.js';
import type {
  ByteRange,
  DownloadOptions,
  ExecResult,
  RemoteEntry,
  RemoteShell,
  RemoteStore,
  TransferOptions,
} from './store.js';
import {
  algorithmsFor,
  defaultIdentityFiles,
  fingerprint,
  keyType,
  knownHostsFile,
  knownHostsName,
  knownKeys,
  readSshConfig,
} from './sshHosts.js';
import {
  cancelled,
  claimUploadTemp,
  checkKey,
  isTmpKey,
  messageOf,
  remoteTimeoutMs,
  throwIfAborted,
  withRetries,
  writeTempName,
} from './storeCommon.js';

/**
 * Bytes of SFTP reads or writes in flight at once on the channel, and the most one request asks
 * for. OpenSSH's sftp-server takes requests of up to 255 KiB (ssh2 knows its limit from the
 * limits@openssh.com extension; other servers get 32 KiB): a few large requests cost far fewer
 * packets, system calls and callbacks than many small ones.
 */
const IN_FLIGHT_BYTES = 4 << 20;
const MAX_REQUEST_BYTES = 255 * 1024;
const FALLBACK_REQUEST_BYTES = 32 * 1024;

/**
 * What ssh2 sends while it handles what arrived (the packets a window adjustment lets go, the
 * next requests) leaves in one writev when that is done, instead of a system call per packet.
 */
function batchWrites(conn: Client): void {
  const socket = (conn as unknown as { _sock?: Duplex })._sock;
  socket?.prependListener('data', () => {
    if (socket.writableCorked) return;
    socket.cork();
    process.nextTick(() => socket.uncork());
  });
}

/** The bytes one read or write request moves on this channel. */
function requestBytes(sftp: SFTPWrapper, kind: 'read' | 'write'): number {
  const limits = sftp as unknown as { _maxReadLen?: number; _maxWriteLen?: number };
  const max = kind === 'read' ? limits._maxReadLen : limits._maxWriteLen;
  return Math.min(MAX_REQUEST_BYTES, max ?? FALLBACK_REQUEST_BYTES);
}

const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

interface Session {
  readonly conn: Client;
  readonly sftp: SFTPWrapper;
  closed: boolean;
}

interface Target {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly identityFiles: readonly string[];
}

export function openSshStore(config: SshRemoteConfig): Promise<RemoteStore> {
  return openSshShell(config);
}

/** The store of an SSH remote that also runs commands on its host (the SSH executor's). */
export async function openSshShell(config: SshRemoteConfig): Promise<RemoteShell> {
  const settings = readSshConfig(config.host);
  const target: Target = {
    host: settings.hostName ?? config.host,
    port: config.port ?? settings.port ?? 22,
    user: config.user ?? settings.user ?? os.userInfo().username,
    identityFiles: [...settings.identityFiles, ...defaultIdentityFiles()],
  };
  const portPart = target.port === 22 ? '' : `:${target.port}`;
  const slash = config.path.startsWith('/') ? '' : '/';
  const location = `ssh://${target.user}@${config.host}${portPart}${slash}${config.path}`;
  const store = new SshStore(location, target, config.path);
  await store.start();
  return store;
}

/** An error of the SFTP protocol (a status code), as opposed to a dropped connection. */
function sftpCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

class SshStore implements RemoteShell {
  private session: Promise<Session> | undefined;
  root = '';
  private readonly madeDirs = new Set<string>();
  private hasPosixRename = false;
  private closing = false;

  constructor(
    readonly location: string,
    private readonly target: Target,
    private readonly rootPath: string,
  ) {}

  async start(): Promise<void> {
    const s = await this.connect();
    const sftp = s.sftp;
    let root = this.rootPath;
    if (root === '~' || root.startsWith('~/')) root = root.slice(2);
    if (!root.startsWith('/')) {
      const home = await call<string>((cb) => sftp.realpath('.', cb));
      root = path.posix.join(home, root);
    }
    this.root = root.replace(/\/+$/, '') || '/';
    const st = await this.statPath(sftp, this.root);
    if (st && !st.isDirectory())
      throw new CairnError(
        'remote',
        `${this.location}: ${this.root} on ${this.target.host} is a file, not a folder; point the remote at a folder`,
      );
  }

  private connect(): Promise<Session> {
    if (this.session) return this.session;
    const attempt = this.openSession();
    this.session = attempt;
    attempt.catch(() => {
      if (this.session === attempt) this.session = undefined;
    });
    return attempt;
  }

  private openSession(): Promise<Session> {
    const { host, port, user } = this.target;
    const khFile = knownHostsFile();
    let khText = '';
    try {
      khText = fs.readFileSync(khFile, 'utf8');
    } catch {
      // no known_hosts yet: every host is unknown
    }
    const khName = knownHostsName(host, port);
    const known = knownKeys(khText, khName);
    const knownTypes = [...new Set(known.filter((k) => !k.revoked).map((k) => k.type))];
    let hostKeyError: CairnError | undefined;
    const verify = (blob: Buffer): boolean => {
      const fp = fingerprint(blob);
      const type = keyType(blob);
      if (known.some((k) => k.revoked && k.blob.equals(blob))) {
        hostKeyError = new CairnError(
          'remote',
          `${this.location}: the host key of ${khName} (${fp}) is marked @revoked in ${khFile}; Cairn refuses to connect. Ask the host's administrator for its current key.`,
          khFile,
        );
        return false;
      }
      if (known.some((k) => !k.revoked && k.type === type && k.blob.equals(blob))) return true;
      if (known.length > 0) {
        const line = known[0]!.line;
        hostKeyError = new CairnError(
          'remote',
          `${this.location}: the host key of ${khName} has CHANGED since it was recorded in ${khFile}:${line}; it is now ${type} ${fp}. ` +
            'Someone may be intercepting the connection, or the host was reinstalled: Cairn refuses to connect. ' +
            `If the host's administrator confirms the new fingerprint, remove the old key with ` +
            `'ssh-keygen -R "${khName}" -f ${khFile}' and trust the new one.`,
          khFile,
          line,
        );
        return false;
      }
      const portArg = port === 22 ? '' : `-p ${port} `;
      hostKeyError = new CairnError(
        'remote',
        `${this.location}: the host ${khName} is not in ${khFile}. Its ${type} key's fingerprint is ${fp}; ` +
          `check it with the host's administrator, then trust the host with: ssh-keyscan ${portArg}${host} >> ${khFile}`,
        khFile,
      );
      return false;
    };
    const { auth, skipped } = this.authMethods();
    const timeout = remoteTimeoutMs();
    const cfg: ConnectConfig = {
      host,
      port,
      username: user,
      readyTimeout: timeout,
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
      hostVerifier: verify,
      authHandler: auth as unknown as ConnectConfig['authHandler'],
      ...(knownTypes.length > 0
        ? { algorithms: { serverHostKey: knownTypes.flatMap(algorithmsFor) as never } }
        : {}),
    };
    return new Promise<Session>((resolve, reject) => {
      const conn = new Client();
      let ready = false;
      const fail = (err: Error & { level?: string; code?: string }): void => {
        if (ready) return;
        ready = true;
        conn.end();
        reject(hostKeyError ?? this.connectError(err, skipped, timeout));
      };
      conn.on('error', fail);
      conn.on('ready', () => {
        conn.sftp((err, sftp) => {
          if (err) return fail(err);
          ready = true;
          const session: Session = { conn, sftp, closed: false };
          const drop = (): void => {
            session.closed = true;
            if (this.session && !this.closing) {
              void this.session.then((s) => {
                if (s === session) this.session = undefined;
              });
            }
          };
          conn.on('close', drop);
          conn.on('error', drop);
          sftp.on('close', drop);
          const exts = (sftp as unknown as { _extensions: Record<string, string> })._extensions;
          this.hasPosixRename = exts['posix-rename@openssh.com'] === '1';
          resolve(session);
        });
      });
      conn.on('close', () => fail(new Error('the connection closed during the handshake')));
      conn.connect(cfg);
      // Without ssh2's optional native crypto (the bundle leaves it out), a packet goes out in
      // more than one write; Nagle's algorithm then holds each small request back until the
      // peer's delayed ACK, about 200 ms per round trip. (connect() made the socket.)
      conn.setNoDelay(true);
      batchWrites(conn);
    });
  }

  /** The agent, then every identity file that exists and needs no passphrase. */
  private authMethods(): { auth: object[]; skipped: string[] } {
    const { user } = this.target;
    const auth: object[] = [];
    const skipped: string[] = [];
    const agent = process.env['SSH_AUTH_SOCK'];
    if (agent) auth.push({ type: 'agent', username: user, agent });
    const seen = new Set<string>();
    for (const file of this.target.identityFiles) {
      if (seen.has(file)) continue;
      seen.add(file);
      let key: Buffer;
      try {
        key = fs.readFileSync(file);
      } catch {
        continue;
      }
      if (/ENCRYPTED|bcrypt/.test(key.subarray(0, 400).toString('latin1')) || isEncrypted(key)) {
        skipped.push(file);
        continue;
      }
      auth.push({ type: 'publickey', username: user, key });
    }
    return { auth, skipped };
  }

  private connectError(
    err: Error & { level?: string; code?: string },
    skipped: readonly string[],
    timeout: number,
  ): CairnError {
    const { host, port, user } = this.target;
    const where = `${this.location}`;
    if (err.level === 'client-authentication') {
      const passphrase =
        skipped.length > 0
          ? ` (${skipped.join(', ')} needs a passphrase: add it to the SSH agent with 'ssh-add')`
          : '';
      return new CairnError(
        'remote',
        `${where}: ${host} refused every key Cairn offered for ${user}${passphrase}. ` +
          `Check the user name, that your public key is in ~/.ssh/authorized_keys on ${host}, ` +
          'or name the key with IdentityFile in ~/.ssh/config.',
      );
    }
    if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT')
      return new CairnError(
        'remote',
        `${where}: ${host} port ${port} did not answer within ${Math.round(timeout / 1000)} s. ` +
          'Check the host name and port, your network or VPN, and that SSH is reachable through any firewall.',
      );
    if (/before handshake/i.test(err.message))
      return new CairnError(
        'remote',
        `${where}: ${host} port ${port} closed the connection before the SSH handshake. ` +
          'Check the host name and port (is it an SSH server?), your network or VPN, and any firewall or proxy between.',
      );
    if (err.code === 'ECONNREFUSED')
      return new CairnError(
        'remote',
        `${where}: ${host} refused the connection on port ${port}. Check the port, and that the SSH server runs on ${host}.`,
      );
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')
      return new CairnError(
        'remote',
        `${where}: the host name ${host} could not be resolved. Check its spelling in cairn.yaml or ~/.ssh/config, and your network.`,
      );
    return new CairnError(
      'remote',
      `${where}: could not connect to ${host} port ${port}: ${err.message}. Check the host and that its SSH server allows SFTP.`,
    );
  }

  /** Runs an operation on the SFTP channel; a dropped connection is reopened and the operation retried. */
  private run<T>(op: (sftp: SFTPWrapper) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetries(
      async () => {
        throwIfAborted(this.location, signal);
        const s = await this.connect();
        try {
          return await op(s.sftp);
        } catch (err) {
          if (signal?.aborted) throw cancelled(this.location);
          if (s.closed || (!(err instanceof CairnError) && sftpCode(err) === undefined)) {
            s.closed = true;
            if (this.session) {
              const cur = await this.session.catch(() => undefined);
              if (cur === s) this.session = undefined;
            }
            throw new DroppedConnection(err);
          }
          throw err;
        }
      },
      (err) => err instanceof DroppedConnection,
      { tries: 4, ...(signal ? { signal } : {}) },
    ).catch((err: unknown) => {
      if (err instanceof DroppedConnection)
        throw new CairnError(
          'remote',
          `${this.location}: the connection to ${this.target.host} kept dropping (${messageOf(err.cause)}); check the network and run the command again`,
        );
      throw err;
    });
  }

  private abs(key: string, isPrefix = false): string {
    checkKey(this.location, key, isPrefix);
    const rel = key.replace(/\/+$/, '');
    return rel === '' ? this.root : path.posix.join(this.root, rel);
  }

  private sftpError(err: unknown, remotePath: string, doing: string): CairnError {
    if (err instanceof CairnError) return err;
    const code = sftpCode(err);
    if (code === SFTP_PERMISSION_DENIED)
      return new CairnError(
        'remote',
        `${this.location}: ${doing} ${remotePath}: permission denied on ${this.target.host}; check that ${this.target.user} may write there`,
      );
    if (code === SFTP_NO_SUCH_FILE)
      return new CairnError(
        'not-found',
        `${this.location}: ${doing} ${remotePath}: no such file on ${this.target.host}`,
      );
    return new CairnError(
      'remote',
      `${this.location}: ${doing} ${remotePath} failed: ${messageOf(err)}. If the remote's disk is full, free some space there.`,
    );
  }

  private async statPath(sftp: SFTPWrapper, p: string): Promise<Stats | undefined> {
    try {
      return await call<Stats>((cb) => sftp.stat(p, cb));
    } catch (err) {
      if (sftpCode(err) === SFTP_NO_SUCH_FILE) return undefined;
      throw err;
    }
  }

  private async mkdirs(sftp: SFTPWrapper, dir: string): Promise<void> {
    if (this.madeDirs.has(dir) || dir === '/' || dir === '.') return;
    try {
      await call((cb) => sftp.mkdir(dir, cb));
    } catch (err) {
      const st = await this.statPath(sftp, dir);
      if (!st) {
        await this.mkdirs(sftp, path.posix.dirname(dir));
        try {
          await call((cb) => sftp.mkdir(dir, cb));
        } catch (again) {
          if (!(await this.statPath(sftp, dir))?.isDirectory()) throw again;
        }
      } else if (!st.isDirectory()) throw err;
    }
    this.madeDirs.add(dir);
  }

  list(prefix: string): Promise<RemoteEntry[]> {
    const dir = this.abs(prefix, true);
    return this.run(async (sftp) => {
      const out: RemoteEntry[] = [];
      const walk = async (abs: string, rel: string): Promise<void> => {
        let entries: Awaited<ReturnType<typeof readdir>>;
        try {
          entries = await readdir(sftp, abs);
        } catch (err) {
          if (sftpCode(err) === SFTP_NO_SUCH_FILE) return;
          const st = await this.statPath(sftp, abs);
          if (st && !st.isDirectory())
            throw new CairnError(
              'remote',
              `${this.location}: ${abs} on ${this.target.host} is a file, not a folder; point the remote at a folder`,
            );
          throw this.sftpError(err, abs, 'Listing');
        }
        const dirs: Promise<void>[] = [];
        for (const e of entries) {
          if (e.filename === '.' || e.filename === '..') continue;
          const key = rel + e.filename;
          if (isTmpKey(key)) continue;
          const mode = e.attrs.mode ?? 0;
          if ((mode & 0o170000) === 0o040000) dirs.push(walk(`${abs}/${e.filename}`, `${key}/`));
          else if ((mode & 0o170000) === 0o100000) out.push({ key, size: e.attrs.size ?? 0 });
        }
        await Promise.all(dirs);
      };
      await walk(dir, prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  stat(key: string): Promise<number | undefined> {
    const p = this.abs(key);
    return this.run(async (sftp) => {
      try {
        const st = await this.statPath(sftp, p);
        return st?.isFile() ? st.size : undefined;
      } catch (err) {
        throw this.sftpError(err, p, 'Reading');
      }
    });
  }

  read(key: string, range?: ByteRange): Promise<Buffer> {
    const p = this.abs(key);
    return this.run(async (sftp) => {
      const parts: Buffer[] = [];
      try {
        await readRange(sftp, p, range?.start ?? 0, range?.end, (b) => {
          parts.push(b);
        });
      } catch (err) {
        throw this.sftpError(err, p, 'Reading');
      }
      return Buffer.concat(parts);
    });
  }

  async download(
    key: string,
    localFile: string,
    options: TransferOptions & DownloadOptions = {},
  ): Promise<void> {
    const p = this.abs(key);
    const { signal } = options;
    const base = (options.range?.start ?? 0) + (options.offset ?? 0);
    let fd: fs.promises.FileHandle | undefined;
    try {
      fd = await fs.promises.open(localFile, (options.offset ?? 0) > 0 ? 'a' : 'w');
      let written = 0;
      const file = fd;
      await this.run(async (sftp) => {
        try {
          await readRange(
            sftp,
            p,
            base + written,
            options.range?.end,
            async (b) => {
              await file.write(b);
              written += b.length;
              options.onData?.(b);
              options.onBytes?.(b.length);
            },
            { signal, reuse: true },
          );
        } catch (err) {
          if (signal?.aborted) throw cancelled(this.location);
          if (sftpCode(err) !== undefined) throw this.sftpError(err, p, 'Downloading');
          throw err;
        }
      }, signal);
    } finally {
      await fd?.close();
    }
  }

  async upload(localFile: string, key: string, options: TransferOptions = {}): Promise<void> {
    const dest = this.abs(key);
    const { signal } = options;
    const size = (await fs.promises.stat(localFile)).size;
    const local = await fs.promises.open(localFile, 'r');
    const claim = claimUploadTemp(this.location, key, localFile);
    const temp = this.abs(claim.temp);
    try {
      await this.run(async (sftp) => {
        await this.mkdirs(sftp, path.posix.dirname(temp));
        const have = (await this.statPath(sftp, temp))?.size ?? 0;
        // Writes in flight when a process was killed may have landed out of order: resume a
        // window before the end of the part file, which holds every byte before that window.
        const from = have > size ? 0 : Math.max(0, have - IN_FLIGHT_BYTES);
        try {
          const handle = await call<Buffer>((cb) => sftp.open(temp, from > 0 ? 'r+' : 'w', cb));
          try {
            await writePipelined(sftp, handle, local, from, size, options.onBytes, signal);
          } finally {
            await call((cb) => sftp.close(handle, cb)).catch(() => undefined);
          }
          throwIfAborted(this.location, signal);
          await this.mkdirs(sftp, path.posix.dirname(dest));
          await this.renameInto(sftp, temp, dest);
        } catch (err) {
          if (signal?.aborted) throw cancelled(this.location);
          if (sftpCode(err) !== undefined) throw this.sftpError(err, dest, 'Uploading to');
          throw err;
        }
      }, signal);
    } finally {
      claim.release();
      await local.close();
    }
  }

  /** Renames a finished temp file onto its key; a key already there holds the same bytes. */
  private async renameInto(sftp: SFTPWrapper, temp: string, dest: string): Promise<void> {
    if (this.hasPosixRename) {
      await call((cb) => sftp.ext_openssh_rename(temp, dest, cb));
      return;
    }
    try {
      await call((cb) => sftp.rename(temp, dest, cb));
    } catch (err) {
      if (!(await this.statPath(sftp, dest))) throw err;
      await call((cb) => sftp.unlink(temp, cb)).catch(() => undefined);
    }
  }

  write(key: string, data: Buffer | string): Promise<void> {
    const dest = this.abs(key);
    const temp = this.abs(writeTempName(key));
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    return this.run(async (sftp) => {
      try {
        await this.mkdirs(sftp, path.posix.dirname(temp));
        await call((cb) => sftp.writeFile(temp, bytes, cb));
        await this.mkdirs(sftp, path.posix.dirname(dest));
        await this.renameInto(sftp, temp, dest);
      } catch (err) {
        if (sftpCode(err) !== undefined) {
          await call((cb) => sftp.unlink(temp, cb)).catch(() => undefined);
          throw this.sftpError(err, dest, 'Writing');
        }
        throw err;
      }
    });
  }

  remove(key: string): Promise<void> {
    const p = this.abs(key);
    return this.run(async (sftp) => {
      try {
        await call((cb) => sftp.unlink(p, cb));
      } catch (err) {
        if (sftpCode(err) === SFTP_NO_SUCH_FILE) return;
        throw this.sftpError(err, p, 'Removing');
      }
    });
  }

  exec(command: string): Promise<ExecResult> {
    return withRetries(
      async () => {
        const s = await this.connect();
        return await new Promise<ExecResult>((resolve, reject) => {
          s.conn.exec(command, (err, channel) => {
            if (err) return reject(new DroppedConnection(err));
            let stdout = '';
            let stderr = '';
            let code: number | null = null;
            let exited = false;
            channel.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
            channel.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
            channel.on('exit', (c: number | null) => ((exited = true), (code = c)));
            channel.on('close', () => {
              if (exited) return resolve({ code, stdout, stderr });
              // Dropped while the command ran: it may have run, so it is not run again.
              reject(
                new CairnError(
                  'remote',
                  `${this.location}: the connection to ${this.target.host} dropped while a command ran there; check the network`,
                ),
              );
            });
          });
        });
      },
      (err) => err instanceof DroppedConnection,
      { tries: 2 },
    ).catch((err: unknown) => {
      if (err instanceof DroppedConnection)
        throw new CairnError(
          'remote',
          `${this.location}: could not run a command on ${this.target.host} (${messageOf(err.cause)}); check that its SSH server allows commands, not only SFTP`,
        );
      throw err;
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const s = await this.session?.catch(() => undefined);
    this.session = undefined;
    if (s && !s.closed) {
      await new Promise<void>((resolve) => {
        s.conn.once('close', () => resolve());
        s.conn.end();
        setTimeout(resolve, 2_000).unref();
      });
    }
  }
}

class DroppedConnection extends Error {
  constructor(override readonly cause: unknown) {
    super(messageOf(cause));
  }
}

function isEncrypted(key: Buffer): boolean {
  const text = key.toString('latin1');
  if (!text.includes('BEGIN OPENSSH PRIVATE KEY')) return false;
  const body = Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  // "openssh-key-v1\0", then the cipher name: "none" for a key without a passphrase.
  const magic = 15;
  if (body.length < magic + 4) return false;
  const len = body.readUInt32BE(magic);
  return body.subarray(magic + 4, magic + 4 + len).toString('latin1') !== 'none';
}

/** An ssh2 callback call as a promise. */
function call<T = void>(
  fn: (cb: (err: Error | null | undefined, value: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value)));
  });
}

function readdir(
  sftp: SFTPWrapper,
  dir: string,
): Promise<{ filename: string; attrs: { mode?: number; size?: number } }[]> {
  return call((cb) => sftp.readdir(dir, cb as never));
}

/**
 * Reads [start, end) of a remote file (to its end when `end` is undefined) with IN_FLIGHT_BYTES of
 * reads outstanding on the channel, handing the bytes to `sink` in order. With `reuse`, a buffer
 * handed to the sink is read into again once the sink has returned (a download writes it out
 * first); without, each buffer is the sink's to keep.
 */
async function readRange(
  sftp: SFTPWrapper,
  remotePath: string,
  start: number,
  end: number | undefined,
  sink: (b: Buffer) => void | Promise<void>,
  options: { signal?: AbortSignal | undefined; reuse?: boolean } = {},
): Promise<void> {
  const handle = await call<Buffer>((cb) => sftp.open(remotePath, 'r', cb));
  try {
    const size = (await call<Stats>((cb) => sftp.fstat(handle, cb))).size;
    const stop = Math.min(end ?? size, size);
    if (start >= stop) return;
    const chunk = requestBytes(sftp, 'read');
    const inFlight = Math.max(1, Math.floor(IN_FLIGHT_BYTES / chunk));
    // Reused buffers spare the garbage collector a gigabyte of short-lived ones per gigabyte.
    const free: Buffer[] = [];
    const readAt = async (pos: number, len: number): Promise<{ buf: Buffer; got: number }> => {
      const buf = free.pop() ?? Buffer.allocUnsafe(options.reuse ? chunk : len);
      let got = 0;
      while (got < len) {
        const n = await new Promise<number>((resolve, reject) =>
          sftp.read(handle, buf, got, len - got, pos + got, (err, bytes) =>
            err ? reject(err) : resolve(bytes),
          ),
        );
        if (n === 0) break;
        got += n;
      }
      return { buf, got };
    };
    const pending: Promise<{ buf: Buffer; got: number }>[] = [];
    let next = start;
    const issue = (): void => {
      while (pending.length < inFlight && next < stop) {
        const len = Math.min(chunk, stop - next);
        const p = readAt(next, len);
        p.catch(() => undefined);
        pending.push(p);
        next += len;
      }
    };
    issue();
    while (pending.length > 0) {
      if (options.signal?.aborted) throw new Error('cancelled');
      const { buf, got } = await pending.shift()!;
      issue();
      await sink(got === buf.length ? buf : buf.subarray(0, got));
      if (options.reuse) free.push(buf);
    }
  } finally {
    await call((cb) => sftp.close(handle, cb)).catch(() => undefined);
  }
}

/** Writes [from, size) of a local file to an open remote handle with IN_FLIGHT_BYTES of writes outstanding. */
async function writePipelined(
  sftp: SFTPWrapper,
  handle: Buffer,
  local: fs.promises.FileHandle,
  from: number,
  size: number,
  onBytes: ((n: number) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  let next = from;
  const chunk = requestBytes(sftp, 'write');
  const most = Math.max(1, Math.floor(IN_FLIGHT_BYTES / chunk));
  const inFlight = new Set<Promise<void>>();
  // One buffer serves every request: ssh2 copies a write's bytes into its packet before write()
  // returns (a request never exceeds the server's limit, so none is split and sent later).
  const buf = Buffer.allocUnsafe(chunk);
  let failure: Error | undefined;
  // The requests issued together leave in one system call (a corked socket is written with
  // writev on uncork), not in one call per 32 KiB channel packet.
  const socket = (sftp as unknown as { _client?: { _sock?: Writable } })._client?._sock;
  while (next < size || inFlight.size > 0) {
    if (failure) break;
    if (signal?.aborted) break;
    if (next < size && inFlight.size < most) {
      if (!socket?.writableCorked) socket?.cork();
      const len = Math.min(chunk, size - next);
      const bytesRead = fs.readSync(local.fd, buf, 0, len, next);
      const pos = next;
      next += len;
      const p = call((cb) => sftp.write(handle, buf, 0, bytesRead, pos, cb)).then(
        () => {
          inFlight.delete(p);
          onBytes?.(bytesRead);
        },
        (err: unknown) => {
          inFlight.delete(p);
          failure ??= err instanceof Error ? err : new Error(messageOf(err));
        },
      );
      inFlight.add(p);
      continue;
    }
    if (socket?.writableCorked) socket.uncork();
    await Promise.race(inFlight);
  }
  if (socket?.writableCorked) socket.uncork();
  await Promise.allSettled([...inFlight]);
  if (failure) throw failure;
}
