import * as path from 'node:path';
import { runMocha } from './runMocha.js';

/** Entry of the suite that runs in Restricted Mode (an untrusted workspace). */
export function run(): Promise<void> {
  return runMocha(path.join(__dirname, 'untrusted'));
}
