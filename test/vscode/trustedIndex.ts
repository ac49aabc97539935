import * as path from 'node:path';
import { runMocha } from './runMocha.js';

/** Entry of the suite that runs in a trusted workspace. */
export function run(): Promise<void> {
  return runMocha(path.join(__dirname, 'suite'));
}
