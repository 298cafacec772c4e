import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from './parser';

// The generated knowledge about the standard library, read lazily the first time a name is
// asked about (a workspace with no sink never loads it):
//   python-stdlib.json  typeshed's stubs compiled by tools/gen/python-stdlib.mjs: what calls,
//                       methods and module attributes give, and each class's bases;
//   python-pickle.json  CPython's verdicts from tools/probe/python-pickle.py: the types that fail
//                       to pickle and the runtime's words, per version.
// Nothing here executes code: both tables are data committed with the commands that make them.

/** A function's return: one type, or overloads chosen by literal arguments ([type, {param: [position, hasDefault, literal set]}]). */
type Returns = string | [string | null, Record<string, [number, 0 | 1, number]>][];
interface StubClass {
  b?: string[];
  m?: Record<string, Returns>;
  a?: Record<string, string>;
}
interface StubModule {
  c?: Record<string, StubClass>;
  f?: Record<string, Returns>;
  a?: Record<string, string>;
  r?: Record<string, string>;
}
interface StdlibTable {
  source: string;
  modules: Record<string, StubModule>;
  literals: (string | number | boolean)[][];
}
/** Per group of versions ("3.11.2 3.11.7"): [plain pickle, ForkingPickler task, spawn args], 0 when it pickles. */
type Verdicts = Record<string, [string | 0, string | 0, string | 0]>;
interface PickleTable {
  source: string;
  versions: string[];
  types: Record<string, Verdicts>;
  names: Record<string, string>;
  /** Types measured to pickle on every version (they do not inherit a failing base's verdict). */
  clean?: string[];
}

let cleanSet: Set<string> | undefined;
function measuredClean(name: string): boolean {
  cleanSet ??= new Set(pickleTable()?.clean ?? []);
  return cleanSet.has(name);
}

function load<T>(file: string): T | undefined {
  // Beside the bundle (dist/generated) or, from the TypeScript sources, in server/generated.
  for (const dir of [path.join(__dirname, 'generated'), path.join(__dirname, '..', '..', 'generated')]) {
    const f = path.join(dir, file);
    if (fs.existsSync(f)) return JSON.parse(fs.readFileSync(f, 'utf8')) as T;
  }
  return undefined;
}

let stubs: StdlibTable | null | undefined;
let pickles: PickleTable | null | undefined;
const stdlib = (): StdlibTable | undefined => (stubs === undefined ? (stubs = load<StdlibTable>('python-stdlib.json') ?? null) : stubs) ?? undefined;
const pickleTable = (): PickleTable | undefined => (pickles === undefined ? (pickles = load<PickleTable>('python-pickle.json') ?? null) : pickles) ?? undefined;

// Plain data: an instance says nothing a pickler cares about, and the engine keeps such values as data or unknown.
const plainData = /^builtins\.(str|int|float|bool|bytes|bytearray|complex|object|list|dict|tuple|set|frozenset|type|range|slice|super|enumerate|zip|map|filter|reversed)$/;

type Found = { kind: 'class'; q: string; cls: StubClass } | { kind: 'function'; q: string; returns: Returns } | { kind: 'attr'; q: string; type: string };
const resolved = new Map<string, Found | null>();

/** What a fully qualified name is in the stubs, following re-exports (`io.TextIOWrapper` is `_io.TextIOWrapper`). */
export function stubLookup(qname: string): Found | undefined {
  if (plainData.test(qname)) return undefined;
  const hit = resolved.get(qname);
  if (hit !== undefined) return hit ?? undefined;
  let found: Found | undefined;
  const table = stdlib();
  let name = qname;
  for (let hops = 0; table && hops < 8 && !found; hops++) {
    const parts = name.split('.');
    let next: string | undefined;
    // The longest module prefix that exists: `logging.handlers.RotatingFileHandler`.
    for (let i = parts.length - 1; i >= 1 && !found && !next; i--) {
      const mod = table.modules[parts.slice(0, i).join('.')];
      if (!mod) continue;
      const rest = parts.slice(i);
      if (rest.length !== 1) break;
      const member = rest[0];
      const q = `${parts.slice(0, i).join('.')}.${member}`;
      if (mod.c?.[member]) found = { kind: 'class', q, cls: mod.c[member] };
      else if (mod.f?.[member]) found = { kind: 'function', q, returns: mod.f[member] };
      else if (mod.a?.[member]) found = { kind: 'attr', q, type: mod.a[member] };
      else next = mod.r?.[member];
      if (!found && !next && (mod.c || mod.f)) break;
    }
    if (!next || next === name) break;
    name = next;
  }
  resolved.set(qname, found ?? null);
  return found;
}

/** The argument a parameter receives at a call: a literal, another expression, or nothing. */
function argument(call: Node, at: number, name: string): { present: boolean; literal?: string | number | boolean } {
  const list = call.childForFieldName('arguments');
  if (!list || list.type !== 'argument_list') return { present: false };
  let index = 0;
  let found: Node | undefined;
  for (const a of list.namedChildren) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'list_splat' || a.type === 'dictionary_splat') return { present: true };
    if (a.type === 'keyword_argument') {
      if (a.childForFieldName('name')?.text === name) found = a.childForFieldName('value') ?? undefined;
      continue;
    }
    if (index === at) found = a;
    index++;
  }
  if (!found) return { present: false };
  if (found.type === 'string' && !found.namedChildren.some((c) => c?.type === 'interpolation'))
    return { present: true, literal: found.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('') };
  if (found.type === 'integer') return { present: true, literal: Number(found.text) };
  if (found.type === 'unary_operator' && /^-\s*\d+$/.test(found.text)) return { present: true, literal: -Number(found.text.replace(/[-\s]/g, '')) };
  if (found.type === 'true' || found.type === 'false') return { present: true, literal: found.type === 'true' };
  return { present: true };
}

/** The first overload whose literal parameters accept the call's arguments, as the type checker would pick it. */
function chooseReturn(returns: Returns, call: Node | undefined): string | undefined {
  if (typeof returns === 'string') return returns;
  const literals = stdlib()?.literals ?? [];
  for (const [type, when] of returns) {
    let fits = true;
    for (const [param, [at, hasDefault, set]] of Object.entries(when)) {
      const arg = call ? argument(call, at, param) : { present: false };
      if (!arg.present) fits = hasDefault === 1 && (literals[set]?.length ?? 0) > 0 && fits;
      else if (arg.literal !== undefined) fits = fits && (literals[set] ?? []).includes(arg.literal);
      if (!fits) break;
    }
    if (fits) return type ?? undefined;
  }
  return undefined;
}

/** What calling a standard-library name makes: an instance of a class, or a function's return type. */
export function stubCallResult(qname: string, call?: Node): string | undefined {
  const f = stubLookup(qname);
  if (!f) return undefined;
  if (f.kind === 'class') return plainData.test(f.q) ? undefined : f.q;
  if (f.kind === 'function') return chooseReturn(f.returns, call);
  return undefined;
}

/** The type of a module attribute (`sys.last_traceback`), when the stubs name a class. */
export function stubAttributeType(qname: string): string | undefined {
  const f = stubLookup(qname);
  return f?.kind === 'attr' ? f.type : undefined;
}

/** The class and its bases, nearest first, as the stubs declare them. */
export function stubClassChain(type: string): { q: string; cls: StubClass }[] {
  const out: { q: string; cls: StubClass }[] = [];
  const queue = [type];
  while (queue.length && out.length < 12) {
    const q = queue.shift()!;
    if (out.some((o) => o.q === q)) continue;
    const f = stubLookup(q);
    if (f?.kind !== 'class') continue;
    out.push({ q: f.q, cls: f.cls });
    queue.push(...(f.cls.b ?? []));
  }
  return out;
}

/** What calling `name` on an instance of `type` returns, looked up through the class's bases. */
export function stubMethodResult(type: string, name: string, call?: Node): string | undefined {
  for (const { cls } of stubClassChain(type)) {
    const r = cls.m?.[name];
    if (r !== undefined) return chooseReturn(r, call);
  }
  return undefined;
}

export interface PickleFacts {
  /** The type the verdict was measured on: the type itself or the nearest base that fails. */
  measured: string;
  /** What refuses it, on the first version that fails: plain pickle, ForkingPickler tasks, spawn args. */
  pickle?: string;
  task?: string;
  spawn?: string;
  /** The runtime's words on each group of versions, when they differ: "3.12.1 3.13.0: TypeError: ...". */
  byVersion: string[];
}

function verdictsOf(name: string): { key: string; v: Verdicts } | undefined {
  const table = pickleTable();
  if (!table) return undefined;
  const key = table.types[name] ? name : table.names[name];
  return key && table.types[key] ? { key, v: table.types[key] } : undefined;
}

const factsMemo = new Map<string, PickleFacts | null>();

/**
 * CPython's verdict on an instance of `type` (a stub name or a runtime type name). A class the
 * probe could not instantiate inherits the verdict of the nearest base it measured: the state a
 * base's `__init__` sets (a lock, a stream) is in every subclass instance.
 */
export function pickleFacts(type: string): PickleFacts | undefined {
  const hit = factsMemo.get(type);
  if (hit !== undefined) return hit ?? undefined;
  let found: { key: string; v: Verdicts } | undefined = verdictsOf(type);
  if (!found && !measuredClean(type)) {
    for (const { q } of stubClassChain(type)) {
      found = verdictsOf(q);
      if (found) break;
    }
  }
  let facts: PickleFacts | undefined;
  if (found) {
    const groups = Object.entries(found.v);
    const words = (i: number) => groups.map(([, v]) => v[i]).find((x) => x !== 0) || undefined;
    facts = { measured: found.key, pickle: words(0), task: words(1), spawn: words(2), byVersion: [] };
    // Versions whose words differ from the first failing version's are named with theirs.
    const primary = facts.task ?? facts.pickle;
    for (const [ver, v] of groups) {
      const w = (facts.task ? v[1] : v[0]) || 'it pickles';
      if (w !== primary) facts.byVersion.push(`Python ${ver.split(' ').join(', ')}: ${w}`);
    }
  }
  factsMemo.set(type, facts ?? null);
  return facts;
}

/** Coverage figures for docs and tests. */
export function tableSizes(): { modules: number; classes: number; failing: number; versions: string[] } {
  const s = stdlib();
  const p = pickleTable();
  let classes = 0;
  for (const m of Object.values(s?.modules ?? {})) classes += Object.keys(m.c ?? {}).length;
  return { modules: Object.keys(s?.modules ?? {}).length, classes, failing: Object.keys(p?.types ?? {}).length, versions: p?.versions ?? [] };
}

/**
 * What iterating an instance of `type` yields (`for entry in os.scandir(p)` gives `os.DirEntry`):
 * its `__iter__` result's `__next__`. For the value flow's loop targets; undefined when the stubs
 * do not name a class.
 */
export function stubElementType(type: string): string | undefined {
  const iterator = stubMethodResult(type, '__iter__') ?? type;
  return stubMethodResult(iterator, '__next__');
}
