// Test support: Debian's real sshd on a loopback port, with keys made for the test in a
// temporary folder. The machine's own /etc/ssh is never read or touched. Used by *.test.ts only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { tempDir } from './tempProject.js';

export interface SshServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The temporary folder: keys, sshd_config, known_hosts, config, and `root/` for remotes. */
  readonly dir: string;
  /** A folder on the "remote" host to point remotes at. */
  readonly root: string;
  readonly knownHosts: string;
  readonly sshConfig: string;
  readonly clientKey: string;
  /** The host key's public line ('ssh-ed25519 AAAA…'). */
  readonly hostPublicKey: string;
  /** CAIRN_SSH_KNOWN_HOSTS and CAIRN_SSH_CONFIG for this server; no agent. */
  readonly env: Record<string, string>;
  /**
   * Ends every connection (the per-connection sshd processes are killed, as a network that
   * drops) and the server, then, `downMs` later, starts it again on the same port: the sessions' own detached
   * processes go on.
   */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

/** Stops a test server's process (if it still runs) and removes its temporary folder. */
export async function stopServer(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something answers with an SSH banner on the port. */
async function waitForBanner(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not start: ${log()}`);
}

export async function startSshServer(): Promise<SshServer> {
  const dir = tempDir('cairn-sshd-');
  const hostKey = path.join(dir, 'host_ed25519');
  const clientKey = path.join(dir, 'id_ed25519');
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey, '-C', 'cairn-test-host']);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey, '-C', 'cairn-test-client']);
  const authorized = path.join(dir, 'authorized_keys');
  fs.copyFileSync(`${clientKey}.pub`, authorized);
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  // sshd's privilege separation wants this folder when it runs as root.
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const user = os.userInfo().username;
  const hostPublicKey = fs
    .readFileSync(`${hostKey}.pub`, 'utf8')
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .join(' ');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    fs.writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorized}`,
        'StrictModes no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        `AllowUsers ${user}`,
        'Subsystem sftp internal-sftp',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const launch = async (): Promise<ChildProcess> => {
      const c = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      try {
        await waitForBanner(port, c, () => stderr);
      } catch (err) {
        c.kill();
        throw Object.assign(err as Error, { inUse: /Address already in use/.test(stderr) });
      }
      return c;
    };
    let child: ChildProcess;
    try {
      child = await launch();
    } catch (err) {
      if (attempt < 3 && (err as { inUse?: boolean }).inUse) continue;
      throw err;
    }
    const knownHosts = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
    const sshConfig = path.join(dir, 'config');
    fs.writeFileSync(
      sshConfig,
      `Host cairn-test\n  HostName 127.0.0.1\n  Port ${port}\n  User ${user}\n  IdentityFile ${clientKey}\n`,
    );
    return {
      host: '127.0.0.1',
      port,
      user,
      dir,
      root,
      knownHosts,
      sshConfig,
      clientKey,
      hostPublicKey,
      env: { CAIRN_SSH_KNOWN_HOSTS: knownHosts, CAIRN_SSH_CONFIG: sshConfig },
      restart: async (downMs = 0) => {
        const sessions = spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], {
          encoding: 'utf8',
        }).stdout;
        for (const pid of sessions.split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
        await new Promise((r) => setTimeout(r, downMs));
        child = await launch();
      },
      stop: () => stopServer(child, dir),
    };
  }
}
