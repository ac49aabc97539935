// Entry of dist/tfjs.js: TensorFlow.js and its WASM backend in one lazily required file, so that
// neither the CLI nor the extension bundle carries them.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export { tf, setWasmPaths };
