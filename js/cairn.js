// Cairn's logging helper for JavaScript and TypeScript:
//   const cairn = require('cairn'); cairn.log({ step: 3, loss: 0.41, acc: 0.87 });
// Inside a run recorded by `cairn run` (CAIRN_RUN_DIR is set; the recorder puts this folder on
// NODE_PATH), metrics are appended as JSON lines to the run directory in batches (every half
// second, every 100 records and at exit). Outside a run, log() does nothing. No dependencies.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const FILE_NAME = 'helper-metrics.jsonl';
let buffer = [];
let timer;

function runDir() {
  return process.env.CAIRN_RUN_DIR || undefined;
}

function params() {
  // The file holds params of any size; CAIRN_PARAMS only small ones (the environment is limited).
  const file = process.env.CAIRN_PARAMS_FILE;
  if (file) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const text = process.env.CAIRN_PARAMS;
  return text ? JSON.parse(text) : {};
}

function encode(v) {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number') return undefined;
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

/** Records metrics; `step` (optional) is the step. NaN and infinities are kept. */
function log(metrics, step) {
  if (!runDir() || !metrics || typeof metrics !== 'object') return;
  const line = {};
  let any = false;
  for (const [k, v] of Object.entries(metrics)) {
    const n = encode(v);
    if (n === undefined) continue;
    line[k] = n;
    if (k !== 'step') any = true;
  }
  if (step !== undefined) line.step = step;
  if (!any) return;
  buffer.push(JSON.stringify(line));
  if (buffer.length >= 100) flush();
  else if (!timer) {
    timer = setTimeout(flush, 500);
    timer.unref();
  }
}

/** Writes buffered records now. */
function flush() {
  if (timer) clearTimeout(timer);
  timer = undefined;
  const dir = runDir();
  if (!dir || buffer.length === 0) return;
  const data = buffer.join('\n') + '\n';
  buffer = [];
  fs.appendFileSync(path.join(dir, FILE_NAME), data);
}

process.on('exit', flush);

module.exports = { log, flush, params, runDir };
