import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runBounded } from '../harness/run-bounded';
import { hasPython, python } from './python-runner';

// The pickle table is CPython's own answer (tools/probe/python-pickle.py, run by a developer
// under each supported interpreter). This test asks the interpreter the suite has again and
// fails when the committed table for that version says something else: a recipe that changed,
// a new class, an edited verdict. It also prints how much of the standard library each table
// decides.

const root = path.resolve(__dirname, '..', '..');
const dataDir = path.join(root, 'data', 'python-pickle');
const probe = path.join(root, 'tools', 'probe', 'python-pickle.py');

interface Entry {
  how: 'recipe' | 'no-arg call' | 'call' | 'type' | 'abstract' | 'undecided';
  pickle?: string;
  task?: string;
  spawn?: string;
  names: string[];
  /** Why the probe could not make one (undecided entries only): "network peer", "platform-only", "base class"... */
  why?: string;
}
interface Table {
  python: string;
  regenerate: string;
  modules: number;
  types: Record<string, Entry>;
}

// The public classes typeshed's stdlib stubs declare (server/generated/python-stdlib.json), by module.
const typeshedClasses = (() => {
  const stdlib = JSON.parse(fs.readFileSync(path.join(root, 'server', 'generated', 'python-stdlib.json'), 'utf8')) as { modules: Record<string, { c?: Record<string, unknown> }> };
  const out = new Set<string>();
  for (const [mod, m] of Object.entries(stdlib.modules)) {
    if (mod.split('.').some((p) => p.startsWith('_'))) continue;
    for (const c of Object.keys(m.c ?? {})) if (!c.startsWith('_')) out.add(`${mod}.${c}`);
  }
  return out;
})();

const WHY_WORDS: Record<string, string> = {
  'network peer': 'need a network peer',
  device: 'a device',
  'platform-only': 'platform-only',
  'base class': 'bases only subclasses instantiate',
  'another class': 'construct another class',
  'no recipe': 'need arguments no recipe gives',
};

function coverage(t: Table): string {
  // Abstract classes (ABCs, Protocols, member-less Enum bases) have no instances of their own to judge.
  const entries = Object.values(t.types).filter((e) => e.how !== 'abstract');
  const decided = entries.filter((e) => e.how !== 'undecided');
  const failing = decided.filter((e) => e.pickle !== 'ok' || e.task !== 'ok');
  const by = (how: Entry['how']) => entries.filter((e) => e.how === how).length;
  // Typeshed's classes that exist at runtime under that name, and how many of those have a verdict.
  const byName = new Map<string, Entry>();
  for (const [key, e] of Object.entries(t.types)) for (const n of [key, ...e.names]) if (!byName.has(n) || byName.get(n)?.how === 'undecided') byName.set(n, e);
  const stubbed = [...typeshedClasses].map((n) => byName.get(n)).filter((e): e is Entry => !!e && e.how !== 'abstract');
  const stubbedDecided = stubbed.filter((e) => e.how !== 'undecided').length;
  // What stands in the way of the rest, as the probe sorted them (a class under two names counts once per name, as above).
  const why = new Map<string, number>();
  for (const e of stubbed) if (e.how === 'undecided') why.set(e.why ?? 'unsorted', (why.get(e.why ?? 'unsorted') ?? 0) + 1);
  const rest = [...why].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w, n]) => `${n} ${WHY_WORDS[w] ?? w}`).join(', ');
  return `CPython ${t.python}: ${decided.length} of ${entries.length} instantiable standard-library types have a verdict (${by('recipe')} from recipes, ${by('no-arg call')} from a no-argument call, ${by('call')} from a call with guessed arguments, ${by('type')} from type-level facts; ${Object.keys(t.types).length - entries.length} abstract) across ${t.modules} modules; typeshed's public classes: ${stubbedDecided} of ${stubbed.length} found at runtime have one${rest ? ` (the rest: ${rest})` : ''}; ${failing.length} fail to pickle`;
}

test('pickle tables: coverage of every committed CPython version', (t) => {
  const files = fs.readdirSync(dataDir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 3, `only ${files.length} tables in ${dataDir}`);
  for (const f of files.sort()) {
    const table = JSON.parse(fs.readFileSync(path.join(dataDir, f), 'utf8')) as Table;
    assert.equal(`${table.python}.json`, f);
    const line = coverage(table);
    t.diagnostic(line);
    console.log(line);
    // The classes still without a verdict, by name, so the next recipe has a list to start from.
    const left = Object.entries(table.types)
      .filter(([, e]) => e.how === 'undecided' && e.names.some((n) => typeshedClasses.has(n)))
      .map(([key, e]) => `${key} (${e.why ?? 'unsorted'})`);
    t.diagnostic(`CPython ${table.python}: typeshed classes without a verdict: ${left.join(', ')}`);
    // The objects the engine relies on must stay decided by a recipe, not by luck.
    for (const key of ['re.Match', '_hashlib.HASH', 'posix.DirEntry', 'sqlite3.Row', 'sqlite3.Cursor', '_io.TextIOWrapper', 'builtins.generator', 'weakref.ReferenceType', 'builtins.mappingproxy'])
      assert.equal(table.types[key]?.how, 'recipe', `${f}: ${key}`);
  }
});

test('pickle table: the committed table agrees with a fresh probe of this interpreter', { skip: !hasPython && `${python} not found`, timeout: 180_000 }, async (t) => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-probe-'));
  const out = path.join(cwd, 'fresh.json');
  try {
    const run = await runBounded(python, [probe, '--out', out], { cwd, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, timeoutMs: 150_000, processGroup: true });
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const fresh = JSON.parse(fs.readFileSync(out, 'utf8')) as Table;
    const committedFile = path.join(dataDir, `${fresh.python}.json`);
    assert.ok(fs.existsSync(committedFile), `no committed table for CPython ${fresh.python}: run ${fresh.regenerate}`);
    const committed = JSON.parse(fs.readFileSync(committedFile, 'utf8')) as Table;
    const differ: string[] = [];
    for (const key of new Set([...Object.keys(committed.types), ...Object.keys(fresh.types)])) {
      const a = JSON.stringify(committed.types[key]);
      const b = JSON.stringify(fresh.types[key]);
      if (a !== b) differ.push(`${key}: committed ${a ?? 'absent'}, probed ${b ?? 'absent'}`);
    }
    t.diagnostic(`fresh probe under ${python} (CPython ${fresh.python}): ${Object.keys(fresh.types).length} types, ${differ.length} disagree`);
    assert.deepEqual(differ.slice(0, 20), [], `the table for ${fresh.python} is stale: run ${committed.regenerate}`);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
