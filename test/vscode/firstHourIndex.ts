import * as path from 'node:path';
import { runMocha } from './runMocha.js';

/** Entry of the suite that starts in a new Git repository without Cairn (the first hour). */
export function run(): Promise<void> {
  return runMocha(path.join(__dirname, 'firstHour'));
}
