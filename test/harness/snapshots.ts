import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';

// Reviewed-in-the-change snapshots (ruff's `snapshots/*.snap` habit). A missing snapshot is
// written on first run locally; `UPDATE_SNAPSHOTS=1 npm test` rewrites changed ones. Under
// CI=true a missing or different snapshot fails: CI never writes what it should be checking.

export function assertSnapshot(snapshotFile: string, actual: string): void {
  const update = process.env.UPDATE_SNAPSHOTS === '1';
  const ci = process.env.CI === 'true';
  if (!fs.existsSync(snapshotFile)) {
    if (ci) assert.fail(`missing snapshot ${snapshotFile}; run the tests locally and commit it`);
    fs.mkdirSync(path.dirname(snapshotFile), { recursive: true });
    fs.writeFileSync(snapshotFile, actual);
    return;
  }
  const expected = fs.readFileSync(snapshotFile, 'utf8');
  if (expected === actual) return;
  if (update && !ci) {
    fs.writeFileSync(snapshotFile, actual);
    return;
  }
  assert.fail(`snapshot ${snapshotFile} differs (UPDATE_SNAPSHOTS=1 npm test to accept):\n${createTwoFilesPatch('snapshot', 'actual', expected, actual, '', '', { context: 2 })}`);
}

/** A before/after diff of one file for a fix snapshot, with a header naming the fix. */
export function fixDiff(fileLabel: string, fixTitle: string, before: string, after: string): string {
  return `fix: ${fixTitle}\n${createTwoFilesPatch(`a/${fileLabel}`, `b/${fileLabel}`, before, after, '', '', { context: 3 })}`;
}
