// What the benchmark scripts share: running a command and timing it.
import { spawnSync } from 'node:child_process';

/** Runs a command to its end (stdout ignored); returns its wall time in ms, throws with its stderr. */
export function run(cmd, args, cwd, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
    maxBuffer: 1 << 30,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}
