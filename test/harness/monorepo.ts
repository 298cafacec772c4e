import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** A fresh copy of test/fixtures/monorepo (two packages, each with its own sendcheck settings). */
export function copyMonorepo(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-mono-')));
  fs.cpSync(path.join(root, 'test', 'fixtures', 'monorepo'), dir, { recursive: true });
  return dir;
}

/** The program both packages run: a threading.Lock handed to a multiprocessing.Process. */
export const lockProgram = fs.readFileSync(path.join(root, 'test', 'fixtures', 'monorepo', 'packages', 'api', 'jobs', 'run.py'), 'utf8');
