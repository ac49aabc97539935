/* eslint-disable @typescript-eslint/no-require-imports -- TensorFlow.js is required lazily, on first use, from whichever build is present */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TfModule from '@tensorflow/tfjs';

export type Tf = typeof TfModule;

interface TfBundle {
  readonly tf: Tf;
  readonly setWasmPaths: (prefix: string) => void;
}

let loading: Promise<Tf> | undefined;

/**
 * Loads TensorFlow.js on first use (never at start-up): the native tfjs-node when it is installed
 * and loads, else the pure-JS library on the WASM backend (the CPU backend if WASM fails). The
 * bundled builds ship it as dist/tfjs.js beside the caller; from source it comes from node_modules.
 */
export function loadTf(): Promise<Tf> {
  loading ??= load();
  return loading;
}

async function load(): Promise<Tf> {
  // tfjs advertises tfjs-node on the console when it is missing; users need not see that.
  // eslint-disable-next-line no-console
  const warn = console.warn;
  // eslint-disable-next-line no-console
  console.warn = () => undefined;
  try {
    try {
      return require('@tensorflow/tfjs-node') as Tf;
    } catch {
      // the optional dependency is not installed, or its native library could not be had
    }
    const bundled = path.join(__dirname, 'tfjs.js');
    let mod: TfBundle;
    if (fs.existsSync(bundled)) {
      mod = require(bundled) as TfBundle;
      mod.setWasmPaths(__dirname + path.sep);
    } else {
      const wasm = require('@tensorflow/tfjs-backend-wasm') as {
        setWasmPaths: TfBundle['setWasmPaths'];
      };
      mod = { tf: require('@tensorflow/tfjs') as Tf, setWasmPaths: wasm.setWasmPaths };
    }
    const { tf } = mod;
    try {
      if (!(await tf.setBackend('wasm'))) throw new Error('the WASM backend did not start');
    } catch {
      await tf.setBackend('cpu');
    }
    await tf.ready();
    return tf;
  } finally {
    // eslint-disable-next-line no-console
    console.warn = warn;
  }
}
