// The parts of OpenSSH's client files an SSH remote reads: ~/.ssh/config (Host, HostName, User,
// Port, IdentityFile) and ~/.ssh/known_hosts (plain, hashed '|1|' and '[host]:port' entries).
import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What ~/.ssh/config says about a host, OpenSSH's way: the first value of each key wins. */
export interface SshHostSettings {
  readonly hostName?: string;
  readonly user?: string;
  readonly port?: number;
  readonly identityFiles: readonly string[];
}

/** The ssh config file: CAIRN_SSH_CONFIG when set (for tests), else ~/.ssh/config. */
export function sshConfigFile(): string {
  return process.env['CAIRN_SSH_CONFIG'] || path.join(os.homedir(), '.ssh', 'config');
}

/** The known_hosts file: CAIRN_SSH_KNOWN_HOSTS when set (for tests), else ~/.ssh/known_hosts. */
export function knownHostsFile(): string {
  return process.env['CAIRN_SSH_KNOWN_HOSTS'] || path.join(os.homedir(), '.ssh', 'known_hosts');
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** OpenSSH's pattern lists: '*' and '?' wildcards, ',' or ' ' separated, '!' negates. */
function matchesPatternList(name: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    const re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    );
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Reads the settings for `host` from an ssh config's text (Match blocks are skipped). */
export function parseSshConfig(text: string, host: string): SshHostSettings {
  let active = true;
  let hostName: string | undefined;
  let user: string | undefined;
  let port: number | undefined;
  const identityFiles: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toLowerCase();
    const value = m[2]!.replace(/^"(.*)"$/, '$1');
    if (keyword === 'host') {
      active = matchesPatternList(host, value.split(/\s+/));
      continue;
    }
    if (keyword === 'match') {
      active = false;
      continue;
    }
    if (!active) continue;
    if (keyword === 'hostname') hostName ??= value.replace(/%h/g, host);
    else if (keyword === 'user') user ??= value;
    else if (keyword === 'port') port ??= Number(value) || undefined;
    else if (keyword === 'identityfile') identityFiles.push(expandHome(value));
  }
  return {
    identityFiles,
    ...(hostName !== undefined ? { hostName } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

export function readSshConfig(host: string): SshHostSettings {
  let text: string;
  try {
    text = fs.readFileSync(sshConfigFile(), 'utf8');
  } catch {
    return { identityFiles: [] };
  }
  return parseSshConfig(text, host);
}

/** The keys OpenSSH tries when a config names none. */
export function defaultIdentityFiles(): string[] {
  const dir = path.join(os.homedir(), '.ssh');
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(dir, f));
}

/** How known_hosts names a host: 'host' on port 22, '[host]:port' on any other. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** 'SHA256:…' of a public key's blob, as `ssh-keygen -l` prints it. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a key blob starts with ('ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa'). */
export function keyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

export interface KnownHostKey {
  readonly type: string;
  readonly blob: Buffer;
  readonly line: number;
  readonly revoked: boolean;
}

function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  return matchesPatternList(name, field.split(','));
}

/** The keys known_hosts holds for a host name as known_hosts writes it (see knownHostsName). */
export function knownKeys(text: string, name: string): KnownHostKey[] {
  const out: KnownHostKey[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker === '@cert-authority') return;
      revoked = marker === '@revoked';
    }
    const [hosts, type, key] = fields;
    if (!hosts || !type || !key || !hostFieldMatches(hosts, name)) return;
    out.push({ type, blob: Buffer.from(key, 'base64'), line: i + 1, revoked });
  });
  return out;
}

/** The ssh2 host key algorithms that verify keys of a known_hosts key type. */
export function algorithmsFor(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}
