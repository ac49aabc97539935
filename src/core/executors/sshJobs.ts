// Runs sent to one machine over SSH. The host shares no file system with this machine: each
// run's work tree goes there as a tar of the files Git tracks (the commit, the diff, the params),
// its data as objects of the executor's cache on the host (`<workdir>/cache`, the layout of a
// cache and of a remote alike, so the host's jobs read it as their cache and this machine writes
// and reads it as an ssh:// remote). A detached process there (setsid, nohup: it outlives the
// connection) runs the batch, at most -j runs at once, each through `cairn _ssh-job`, which
// records it as a local run is recorded, in the work tree's own run folder. Every look from here
// (the CLI following, the editor's poll) copies what that folder gained into the project's
// record of the run, so the log and metrics stream back, after a dropped connection too. Once the
// run ended, its outputs' objects come back through the same connection.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CairnError } from '../errors.js';
import { gitMaybe } from '../git/git.js';
import { projectAt, type Project } from '../project/project.js';
import { openShell } from '../remotes/openStore.js';
import type { RemoteShell } from '../remotes/store.js';
import { fetchVersionsFrom, pushVersionsTo } from '../remotes/transfer.js';
import { shellQuote } from '../shell.js';
import { checkoutArtifacts } from '../versioning/checkout.js';
import type { VersionRef } from '../versioning/reachable.js';
import { executeRun } from '../runs/runRecorder.js';
import { preparedFromRecord } from '../runs/runPreparation.js';
import type { ArtifactVersion, RunRecord, RunSummary } from '../runs/runRecord.js';
import { parseRunRecord } from '../runs/runRecordSchema.js';
import type { RunRequest } from '../runs/runRequest.js';
import { endedWithoutRecorder, readRun, runDir, RUN_FILES, saveRun } from '../runs/runStore.js';
import { getExecutor, type SshExecutor } from './executorConfig.js';
import {
  bringOutputs,
  prepareQueuedRuns,
  removeWorkFolder,
  takeClaim,
  workFolder,
  type SubmitOptions,
  type Submission,
} from './jobCommon.js';

const SCRIPT = 'job.sh';
/** In a job's folder on the host: the run's id, its work tree, what its job printed. */
const ID_FILE = 'id';
const TREE = 'tree';
const JOB_OUT = 'job.out';
/** A run stopped on request leaves this in its job's folder. */
const STOP = 'stop';

const posix = path.posix;

/** What a look at an open run needs of it (a row of the run list). */
type OpenRun = Pick<RunSummary, 'id' | 'executor'>;

function refsOf(versions: readonly ArtifactVersion[]): VersionRef[] {
  const seen = new Set<string>();
  return versions.flatMap((v) =>
    seen.has(v.hash) ? [] : (seen.add(v.hash), [{ type: undefined, hash: v.hash, source: v.path }]),
  );
}

/** The key of a run's folder on the host, under which the host's Cairn keeps its record. */
function runKey(r: OpenRun): string {
  return `${r.executor!.jobDir}/${TREE}/.cairn/runs/${r.id}`;
}

async function mustExec(shell: RemoteShell, command: string, doing: string): Promise<string> {
  const r = await shell.exec(command);
  if (r.code !== 0)
    throw new CairnError(
      'run',
      `${shell.location}: ${doing} failed${r.code === null ? '' : ` (exit ${r.code})`}: ${(r.stderr || r.stdout).trim().slice(0, 600) || 'no message'}`,
    );
  return r.stdout;
}

/** A tar of the files of a work tree that Git tracks or would (not data: it is ignored). */
async function tarWorkTree(folder: string, tarFile: string): Promise<void> {
  const list = (await gitMaybe(folder, ['ls-files', '-z', '-co', '--exclude-standard'])) ?? '';
  await new Promise<void>((resolve, reject) => {
    const child = spawn('tar', ['-cf', tarFile, '-C', folder, '--null', '-T', '-'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) =>
      reject(new CairnError('run', `Could not run tar to pack the run's files: ${err.message}`)),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new CairnError('run', `tar could not pack ${folder}: ${stderr.trim()}`)),
    );
    child.stdin.end(list);
  });
}

/**
 * Sends runs to an SSH executor and starts them there, detached: at most `parallel` at once
 * (default one after the other). A host that cannot be reached, a host key that does not match,
 * or a host without tar or setsid fail before anything is recorded.
 */
export async function submitSshRuns(
  project: Project,
  executor: SshExecutor,
  requests: readonly RunRequest[],
  options: SubmitOptions,
): Promise<Submission> {
  const step = options.onStep;
  step?.(`Connecting to ${executor.host}`);
  const shell = await openShell(executor.remote);
  try {
    await mustExec(
      shell,
      `mkdir -p ${shellQuote(posix.join(shell.root, 'cache'))} && command -v tar >/dev/null && command -v setsid >/dev/null && command -v xargs >/dev/null`,
      `preparing ${shell.root} (the host needs tar, setsid and xargs)`,
    );
    const queued = await prepareQueuedRuns(project, executor, requests, {
      root: path.join(project.dataDir, 'jobs'),
      checkoutInputs: false,
      ...(step ? { onStep: step } : {}),
    });
    const { token, batch } = queued;
    const remoteBatch = posix.join(shell.root, token);
    try {
      const inputs = refsOf(queued.runs.flatMap((r) => r.inputs));
      if (inputs.length > 0) {
        step?.(`Sending the runs' data to ${executor.host}`);
        const missing = await pushVersionsTo(project, executor.remote, shell, inputs);
        if (missing.length > 0)
          throw new CairnError(
            'not-found',
            `The cache lacks the content of ${missing.slice(0, 3).join(', ')}, so the run's data cannot be sent; run 'cairn pull', or 'cairn add' the data again`,
          );
      }
      for (let i = 0; i < queued.runs.length; i++) {
        const r = queued.runs[i]!;
        const key = r.executor!.jobDir;
        step?.(`Sending run ${i + 1} of ${queued.runs.length} to ${executor.host}`);
        const tar = `${workFolder(batch, i)}.tar`;
        await tarWorkTree(workFolder(batch, i), tar);
        await shell.upload(tar, `${key}/${TREE}.tar`);
        await shell.write(`${key}/${ID_FILE}`, r.id);
        const dir = runDir(project, r.id);
        for (const f of fs.readdirSync(dir))
          if (!f.startsWith('.')) await shell.upload(path.join(dir, f), `${runKey(r)}/${f}`);
      }
      const cairn = executor.cairn ?? 'cairn';
      await shell.write(
        `${token}/${SCRIPT}`,
        [
          '#!/bin/sh',
          `# One run of Cairn's batch ${token}: sh ${SCRIPT} <index>`,
          'cd "$(dirname "$0")" || exit 1',
          'exec > "w$1/job.out" 2>&1',
          '[ -e "w$1/stop" ] && exit 0',
          ...(executor.setup ? [executor.setup.trimEnd()] : []),
          `exec ${cairn} _ssh-job "$PWD" "$1"`,
          '',
        ].join('\n'),
      );
      const cache = shellQuote(posix.join(shell.root, 'cache'));
      const unpack = queued.runs
        .map(
          (_, i) =>
            `mkdir -p w${i}/${TREE}/.cairn && tar -xf w${i}/${TREE}.tar -C w${i}/${TREE} && rm w${i}/${TREE}.tar && ln -sfn ${cache} w${i}/${TREE}/.cairn/cache`,
        )
        .join(' && ');
      const list = queued.runs.map((_, i) => i).join('\\n');
      const parallel = Math.max(1, options.parallel ?? 1);
      step?.(`Starting on ${executor.host}`);
      const out = await mustExec(
        shell,
        `cd ${shellQuote(remoteBatch)} && ${unpack} && printf '${list}\\n' > runs && ` +
          `{ setsid nohup xargs -P ${parallel} -n 1 sh ${shellQuote(posix.join(remoteBatch, SCRIPT))} < runs > batch.out 2>&1 & echo $!; }`,
        'starting the runs',
      );
      const pid = out.trim().split('\n').pop() ?? '';
      if (!/^\d+$/.test(pid))
        throw new CairnError(
          'run',
          `${shell.location}: the runs were started, but the host did not say their process id ('${out.trim()}')`,
        );
      const runs = queued.runs.map((r) => {
        const withId: RunRecord = {
          ...r,
          git: { ...r.git, branch: queued.branch },
          executor: { ...r.executor!, jobId: pid, state: 'QUEUED' },
        };
        saveRun(project, withId);
        return withId;
      });
      for (let i = 0; i < runs.length; i++) await removeWorkFolder(project, workFolder(batch, i));
      return { jobId: pid, runs };
    } catch (err) {
      await queued.cleanUp();
      await shell.exec(`rm -rf ${shellQuote(remoteBatch)}`).catch(() => undefined);
      throw err;
    }
  } finally {
    await shell.close();
  }
}

/**
 * The host's side (`cairn _ssh-job <batch folder> <index>`): runs the run of the batch's job
 * folder `w<index>` in its work tree, recording it there as a local run is recorded. SIGTERM ends
 * the program; the run is `stopped` when a user asked for it.
 */
export async function runSshJob(batch: string, index: number): Promise<RunRecord | undefined> {
  const folder = workFolder(batch, index);
  if (fs.existsSync(path.join(folder, STOP))) return undefined;
  const idFile = path.join(folder, ID_FILE);
  let id: string;
  try {
    id = fs.readFileSync(idFile, 'utf8').trim();
  } catch {
    throw new CairnError('run', `${idFile} is missing: ${folder} is not a job folder of Cairn's`);
  }
  const work = projectAt(path.join(folder, TREE));
  const queued = readRun(work, id);
  if (queued.status !== 'queued' || !queued.executor) return queued;
  const host = os.hostname();
  let record: RunRecord = {
    ...queued,
    status: 'running',
    startMs: Date.now(),
    host,
    pid: process.pid,
    executor: { ...queued.executor, node: host, state: 'RUNNING' },
  };
  saveRun(work, record);
  if (record.inputs.length > 0) {
    try {
      await checkoutArtifacts(
        work,
        record.inputs.map((i) => i.path),
        { force: true },
      );
    } catch (err) {
      record = endedWithoutRecorder(work, record, {
        status: 'failed',
        error: `the run's data could not be checked out on ${host}: ${(err as Error).message}`,
      });
      saveRun(work, record);
      return record;
    }
  }
  const handle = await executeRun(work, preparedFromRecord(record, work, runDir(work, id)), {
    echo: true,
    tty: false,
  });
  const onTerm = () =>
    fs.existsSync(path.join(folder, STOP))
      ? handle.stop()
      : handle.stop(`the job's process on ${host} got SIGTERM (killed, or the machine shut down)`);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', () => undefined);
  try {
    return await handle.done;
  } finally {
    process.off('SIGTERM', onTerm);
  }
}

/** Stops a run sent to an SSH executor: its process there gets SIGTERM; the run ends `stopped`. */
export async function stopSshRun(executor: SshExecutor, record: RunRecord): Promise<void> {
  const e = record.executor!;
  const [token, w] = e.jobDir.split('/');
  const index = w!.slice(1);
  const shell = await openShell(executor.remote);
  try {
    await shell.write(`${e.jobDir}/${STOP}`, '');
    await shell.exec(
      `for p in $(ps -eo pid=,args= | awk '/_ssh-job/ && index($0, "/${token} ") && $NF == "${index}" {print $1}'); do kill -TERM "$p"; done; true`,
    );
  } finally {
    await shell.close();
  }
}

/**
 * Looks at the open runs of SSH executors: copies what each run's folder on its host gained into
 * the project's record, and settles the runs that ended there (their outputs brought back) or
 * whose process is gone without a final record (`failed`, or `stopped` when stopped on request).
 * A host that cannot be reached is reported to onError (a CairnError('remote')); the jobs there
 * go on, and the other hosts are still looked at.
 */
export async function reconcileSshRuns(
  project: Project,
  open: readonly OpenRun[],
  onError: (err: unknown) => void,
): Promise<RunRecord[]> {
  const settled: RunRecord[] = [];
  const byExecutor = new Map<string, OpenRun[]>();
  for (const r of open) {
    // A run without a job id is still being submitted.
    if (!r.executor!.jobId) continue;
    byExecutor.set(r.executor!.name, [...(byExecutor.get(r.executor!.name) ?? []), r]);
  }
  for (const [name, runs] of byExecutor) {
    let executor: SshExecutor | undefined;
    try {
      const e = getExecutor(project, name);
      executor = e.type === 'ssh' ? e : undefined;
    } catch {
      executor = undefined;
    }
    if (!executor) {
      for (const r of runs)
        settled.push(
          finish(project, readRun(project, r.id), 'failed', {
            error: `executor '${name}' is no longer an SSH executor in cairn.yaml, so its job cannot be followed`,
          }),
        );
      continue;
    }
    let shell: RemoteShell | undefined;
    try {
      shell = await openShell(executor.remote);
      const ps = (await mustExec(shell, 'ps -eo args=', 'listing the processes')).split('\n');
      for (const r of runs) {
        const s = await lookAt(project, executor, shell, r, ps);
        if (s) settled.push(s);
      }
    } catch (err) {
      onError(err);
    } finally {
      await shell?.close();
    }
  }
  return settled;
}

/** One open run: its files copied here; settled when it ended. */
async function lookAt(
  project: Project,
  executor: SshExecutor,
  shell: RemoteShell,
  r: OpenRun,
  ps: readonly string[],
): Promise<RunRecord | undefined> {
  const e = r.executor!;
  const [token, w] = e.jobDir.split('/') as [string, string];
  // The processes first, then the files: a run's record is final before its process ends, and
  // once no process of the batch is left, none can start. (A run killed while the batch goes on
  // is settled when the batch ends.)
  const batchAlive = ps.some((l) => l.includes(token));
  const there = await copyRunFiles(project, shell, r);
  const ended = there !== undefined && there.status !== 'running';
  if (!ended && batchAlive) return undefined;
  const claim = path.join(project.dataDir, 'jobs', `${token}-${w}.settling`);
  fs.mkdirSync(path.dirname(claim), { recursive: true });
  if (!takeClaim(claim)) return undefined;
  try {
    const rec = readRun(project, r.id);
    let final: RunRecord;
    if (!ended) {
      const stopped = (await shell.stat(`${e.jobDir}/${STOP}`)) !== undefined;
      const said = there ? '' : await jobOutput(shell, e.jobDir, runDir(project, r.id));
      const error = there
        ? `the run's process on ${executor.host} ended without finishing its record (killed, or the machine restarted)`
        : `the job on ${executor.host} ended before its run started` +
          (said ? `; the job printed: ${said}` : '');
      final = finish(project, rec, stopped ? 'stopped' : 'failed', {
        ...(stopped ? {} : { error }),
        endOfRecorder: true,
      });
    } else {
      let error = rec.error;
      if (rec.status === 'completed' && rec.outputs.length > 0) {
        try {
          const missing = await fetchVersionsFrom(
            project,
            executor.remote,
            shell,
            refsOf(rec.outputs),
          );
          if (missing.length > 0)
            throw new CairnError('not-found', `the host's cache lacks ${missing.join(', ')}`);
          await bringOutputs(project, rec, (rel) => shell.read(`${e.jobDir}/${TREE}/${rel}`));
        } catch (err) {
          error = `the outputs are versioned on ${executor.host}, but bringing them here failed: ${(err as Error).message}`;
        }
      }
      final = finish(project, rec, rec.status, error !== undefined ? { error } : {});
    }
    await shell
      .exec(
        `cd ${shellQuote(posix.join(shell.root, token))} && rm -rf ${w} && { ls -d w[0-9]* >/dev/null 2>&1 || { cd .. && rm -rf ${token}; }; }`,
      )
      .catch(() => undefined);
    return final;
  } finally {
    fs.rmSync(claim, { force: true });
  }
}

/** Saves a run's settled record. */
function finish(
  project: Project,
  rec: RunRecord,
  status: RunRecord['status'],
  opts: { error?: string; endOfRecorder?: boolean },
): RunRecord {
  const base = opts.endOfRecorder
    ? endedWithoutRecorder(project, rec, {
        status,
        ...(opts.error !== undefined ? { error: opts.error } : {}),
        endMs: Date.now(),
        durationMs: rec.status === 'running' ? Date.now() - rec.startMs : 0,
      })
    : { ...rec, status, ...(opts.error !== undefined ? { error: opts.error } : {}) };
  const final: RunRecord = {
    ...base,
    executor: { ...rec.executor!, state: status.toUpperCase(), settled: true },
  };
  saveRun(project, final);
  return final;
}

/**
 * Copies what the run's folder on the host gained since the last look (the log and metrics grow;
 * they are read from where the copy here ends) and merges its record into the project's. Returns
 * the host's record, or undefined before the run started there.
 */
async function copyRunFiles(
  project: Project,
  shell: RemoteShell,
  r: OpenRun,
): Promise<RunRecord | undefined> {
  const key = runKey(r);
  let there: RunRecord | undefined;
  try {
    there = parseRunRecord(
      JSON.parse((await shell.read(`${key}/${RUN_FILES.record}`)).toString('utf8')),
      r.id,
    );
  } catch (err) {
    if (err instanceof CairnError && err.code !== 'not-found') throw err;
    return undefined;
  }
  if (there.status === 'queued') return undefined;
  const dir = runDir(project, r.id);
  for (const entry of await shell.list(`${key}/`)) {
    const name = entry.key.slice(key.length + 1);
    if (
      name === RUN_FILES.record ||
      name === RUN_FILES.helperMetrics ||
      name.startsWith('.') ||
      name.includes('/')
    )
      continue;
    const file = path.join(dir, name);
    let have = 0;
    try {
      have = fs.statSync(file).size;
    } catch {
      // not copied yet
    }
    if (entry.size === have) continue;
    const from = entry.size > have ? have : 0;
    const bytes = await shell.read(entry.key, { start: from, end: entry.size });
    if (from === 0) fs.writeFileSync(file, bytes);
    else fs.appendFileSync(file, bytes);
  }
  const mine = readRun(project, r.id);
  const merged: RunRecord = {
    ...there,
    name: mine.name,
    git: { ...there.git, branch: mine.git.branch },
    executor: {
      ...mine.executor!,
      ...(there.executor?.node ? { node: there.executor.node } : {}),
      state: there.status.toUpperCase(),
    },
  };
  if (JSON.stringify(merged) !== JSON.stringify(mine)) saveRun(project, merged);
  return there;
}

/** The last lines the job printed before its run started (a setup line that failed). */
async function jobOutput(shell: RemoteShell, jobDir: string, dir: string): Promise<string> {
  let text: string;
  try {
    text = (await shell.read(`${jobDir}/${JOB_OUT}`)).toString('utf8');
  } catch {
    return '';
  }
  if (!text.trim()) return '';
  try {
    fs.writeFileSync(path.join(dir, RUN_FILES.log), text, { flag: 'a' });
  } catch {
    // the log is a convenience here; the error says what matters
  }
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
}
