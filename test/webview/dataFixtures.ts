// States for the profile and drift webview tests, made from real `cairn profile --json` and
// `cairn drift --json` output (test/fixtures/data, see its README) through the host's own mapping.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DRIFT_THRESHOLDS, type DriftReport } from '../../src/core/data/drift.js';
import type { DataProfile } from '../../src/core/data/profile.js';
import { versionLabel } from '../../src/core/versioning/versionLabel.js';
import { driftState, profileState } from '../../src/extension/data/dataViewState.js';
import type { DriftState } from '../../src/protocol/drift.js';
import type { ProfileState } from '../../src/protocol/profile.js';

function read(name: string): unknown {
  return JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/data', name), 'utf8'));
}

/** customers.csv of the demo (20,000 rows), hostile.csv (hostile names and values) or images. */
export function profileFixture(
  name: 'customers' | 'hostile' | 'images',
  canCompare = true,
): ProfileState {
  return profileState(read(`${name}-profile.json`) as DataProfile, {
    rev: 'workspace',
    canCompare,
  });
}

/** The drift report of the same data: demo v1 → work tree, hostile v1 → v2, images v1 → work tree. */
export function driftFixture(name: 'customers' | 'hostile' | 'images'): DriftState {
  const report = read(`${name}-drift.json`) as DriftReport;
  // The host names each commit by its tag (core's versionLabel): here, the revision given.
  const labels = new Map<string, string>();
  for (const v of [report.from, report.to])
    if (v.commit !== undefined)
      labels.set(v.commit, versionLabel(v.commit, { commit: v.commit, tag: v.rev, subject: '' }));
  return driftState(report, DRIFT_THRESHOLDS, labels);
}
