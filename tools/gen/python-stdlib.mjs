// Compiles typeshed's standard-library stubs (the copy the `pyright` dev dependency ships under
// dist/typeshed-fallback/stdlib) and the CPython pickle probes (data/python-pickle/*.json) into
// the two compact tables the Python engine reads at run time:
//
//   server/generated/python-stdlib.json  classes with their bases, what functions and methods
//                                        return, module attributes, re-exported names
//   server/generated/python-pickle.json  the types that fail to pickle, with CPython's words per
//                                        version, keyed by every name the type is known by
//
// Build-time only: `node tools/gen/python-stdlib.mjs` (also `npm run gen:python`). The output is
// committed, so a user's install needs neither pyright nor Python; test/python/knowledge.test.ts
// fails when the committed tables differ from what this script produces.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const { Parser, Language } = require('web-tree-sitter');

// Stubs are read as the newest supported CPython on Linux sees them.
const TARGET = [3, 13];
const PLATFORM = 'linux';

// Returns that say nothing about pickling: plain data, protocols, type variables.
const UNINFORMATIVE = /^(builtins\.(str|int|float|bool|bytes|bytearray|complex|object|list|dict|tuple|set|frozenset|type|slice|range|NoneType|ellipsis|BaseException|Exception)|typing(_extensions)?\.(?!TextIO$|BinaryIO$|IO$).*|collections\.abc\..*|_typeshed\..*|types\.(NoneType|GenericAlias|NotImplementedType))$/;

// Stubs a Linux program's pickling never meets (GUI toolkits, Windows-only modules, the removed
// distutils, the test suite) and re-exports of typing helpers: left out to keep the table small.
const SKIPPED_MODULES = /^(tkinter|turtle|turtledemo|idlelib|distutils|lib2to3|msilib|winreg|winsound|msvcrt|_winapi|_winreg|nt|ctypes\.wintypes|ensurepip|pydoc_data|_msi|_tkinter|this|antigravity)(\.|$)/;
const REEXPORT_NOISE = /^(typing(_extensions)?|_typeshed|collections\.abc|abc|types)\.(?!(MappingProxyType|FrameType|TracebackType|CodeType|GeneratorType|CoroutineType|ModuleType|SimpleNamespace|CellType)$)/;

async function parser() {
  await Parser.init();
  const p = new Parser();
  p.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
  return p;
}

function stubFiles(dir) {
  const out = [];
  const walk = (d, prefix) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '_typeshed' && e.name.startsWith('@')) continue;
        walk(full, prefix ? `${prefix}.${e.name}` : e.name);
      } else if (e.name.endsWith('.pyi')) {
        const stem = e.name.slice(0, -4);
        const mod = stem === '__init__' ? prefix : prefix ? `${prefix}.${stem}` : stem;
        out.push({ mod, file: full, isPackage: stem === '__init__' });
      }
    }
  };
  walk(dir, '');
  return out;
}

/** `sys.version_info >= (3, 12)`, `sys.platform == "win32"`: true, false, or undefined when not understood. */
function condition(node) {
  const t = node.text.replace(/\s+/g, ' ');
  if (node.type === 'boolean_operator') {
    const l = condition(node.childForFieldName('left'));
    const r = condition(node.childForFieldName('right'));
    const op = node.child(1)?.type;
    if (l === undefined || r === undefined) return undefined;
    return op === 'and' ? l && r : l || r;
  }
  if (node.type === 'not_operator') {
    const v = condition(node.childForFieldName('argument'));
    return v === undefined ? undefined : !v;
  }
  if (node.type === 'parenthesized_expression') return condition(node.namedChildren[0]);
  let m = /^sys\.version_info (>=|<|>|<=) \((\d+), (\d+)\)$/.exec(t);
  if (m) {
    const cmp = TARGET[0] - Number(m[2]) || TARGET[1] - Number(m[3]);
    return { '>=': cmp >= 0, '<': cmp < 0, '>': cmp > 0, '<=': cmp <= 0 }[m[1]];
  }
  m = /^sys\.platform (==|!=) "(\w+)"$/.exec(t);
  if (m) return m[1] === '==' ? m[2] === PLATFORM : m[2] !== PLATFORM;
  m = /^sys\.platform\.startswith\("(\w+)"\)$/.exec(t);
  if (m) return PLATFORM.startsWith(m[1]);
  return undefined;
}

/** The statements that apply on the target: `if` branches are chosen by their condition. */
function* statements(block) {
  for (const s of block.namedChildren) {
    if (s.type !== 'if_statement') {
      yield s;
      continue;
    }
    let taken = false;
    const c = condition(s.childForFieldName('condition'));
    if (c !== false) {
      taken = c === true;
      yield* statements(s.childForFieldName('consequence'));
      if (c === undefined) continue;
    }
    if (taken) continue;
    for (const alt of s.childrenForFieldName('alternative')) {
      if (alt.type === 'elif_clause') {
        const ec = condition(alt.childForFieldName('condition'));
        if (ec === false) continue;
        yield* statements(alt.childForFieldName('consequence'));
        if (ec === true) break;
      } else {
        yield* statements(alt.childForFieldName('body'));
      }
    }
  }
}

function parseModule(p, { mod, file, isPackage }) {
  const tree = p.parse(fs.readFileSync(file, 'utf8'));
  const m = { mod, isPackage, imports: new Map(), modules: new Map(), classes: new Map(), functions: new Map(), attrs: new Map(), aliases: new Map(), stars: [] };
  const pkg = isPackage ? mod : mod.split('.').slice(0, -1).join('.');
  for (const s of statements(tree.rootNode)) collect(m, s, pkg);
  // The tree stays alive: annotations are resolved once every module is read.
  return m;
}

function relative(pkg, level, name) {
  const parts = pkg ? pkg.split('.') : [];
  const base = parts.slice(0, parts.length - (level - 1)).join('.');
  return [base, name].filter(Boolean).join('.');
}

function decoratorNames(node) {
  return node.type === 'decorated_definition' ? node.namedChildren.filter((c) => c.type === 'decorator').map((d) => d.namedChildren[0]?.text ?? '') : [];
}

function collect(m, s, pkg) {
  switch (s.type) {
    case 'import_statement':
      for (const n of s.childrenForFieldName('name')) {
        if (n.type === 'aliased_import') m.modules.set(n.childForFieldName('alias').text, n.childForFieldName('name').text);
        else m.modules.set(n.text.split('.')[0], n.text.split('.')[0]);
      }
      return;
    case 'import_from_statement': {
      const modNode = s.childForFieldName('module_name');
      let from = modNode.text;
      if (modNode.type === 'relative_import') {
        const prefix = modNode.namedChildren.find((c) => c.type === 'import_prefix');
        const name = modNode.namedChildren.find((c) => c.type === 'dotted_name');
        from = relative(pkg, prefix ? prefix.text.length : 1, name?.text ?? '');
      }
      if (s.namedChildren.some((c) => c.type === 'wildcard_import')) m.stars.push(from);
      for (const n of s.childrenForFieldName('name')) {
        const member = (n.type === 'aliased_import' ? n.childForFieldName('name') : n).text;
        const local = (n.type === 'aliased_import' ? n.childForFieldName('alias') : n).text;
        m.imports.set(local, `${from}.${member}`);
      }
      return;
    }
    case 'decorated_definition': {
      const def = s.childForFieldName('definition');
      if (def.type === 'class_definition') collectClass(m, def);
      else if (def.type === 'function_definition') addFunction(m.functions, def, decoratorNames(s));
      return;
    }
    case 'class_definition':
      collectClass(m, s);
      return;
    case 'function_definition':
      addFunction(m.functions, s, []);
      return;
    case 'expression_statement': {
      const a = s.namedChildren[0];
      if (a?.type !== 'assignment') return;
      const left = a.childForFieldName('left');
      if (left?.type !== 'identifier') return;
      const type = a.childForFieldName('type');
      const right = a.childForFieldName('right');
      if (type && /TypeAlias$/.test(type.text) && right) m.aliases.set(left.text, right);
      else if (type) m.attrs.set(left.text, type);
      else if (right && (right.type === 'identifier' || right.type === 'attribute')) m.aliases.set(left.text, right);
      return;
    }
    default:
  }
}

function collectClass(m, node) {
  const name = node.childForFieldName('name').text;
  const supers = node.childForFieldName('superclasses');
  const cls = { name, bases: supers ? supers.namedChildren.filter((c) => c.type !== 'keyword_argument' && c.type !== 'comment') : [], methods: new Map(), attrs: new Map() };
  for (const s of statements(node.childForFieldName('body'))) {
    if (s.type === 'function_definition') addFunction(cls.methods, s, []);
    else if (s.type === 'decorated_definition' && s.childForFieldName('definition').type === 'function_definition') {
      const decs = decoratorNames(s);
      const def = s.childForFieldName('definition');
      if (decs.some((d) => d === 'property' || d.endsWith('cached_property'))) {
        const rt = def.childForFieldName('return_type');
        if (rt) cls.attrs.set(def.childForFieldName('name').text, rt);
      } else addFunction(cls.methods, def, decs);
    } else if (s.type === 'expression_statement' && s.namedChildren[0]?.type === 'assignment') {
      const a = s.namedChildren[0];
      const left = a.childForFieldName('left');
      const type = a.childForFieldName('type');
      if (left?.type === 'identifier' && type && !/ClassVar|TypeAlias/.test(type.text)) cls.attrs.set(left.text, type);
    }
  }
  m.classes.set(name, cls);
}

function addFunction(map, def, decorators) {
  const name = def.childForFieldName('name').text;
  const list = map.get(name) ?? [];
  if (!decorators.includes('overload')) list.length = 0;
  list.push({ def, rt: def.childForFieldName('return_type') });
  map.set(name, list);
}

class Resolver {
  constructor(modules) {
    this.modules = modules;
  }

  /** The canonical `module.Name` a name in module `m` stands for (following re-exports and aliases). */
  name(m, local, depth = 0) {
    if (depth > 12) return undefined;
    if (m.classes.has(local) || m.functions.has(local)) return `${m.mod}.${local}`;
    const alias = m.aliases.get(local);
    if (alias) return this.typeOf(m, alias, undefined, depth + 1)?.[0];
    const imported = m.imports.get(local);
    if (imported) return this.qualified(imported, depth + 1);
    const mod = m.modules.get(local);
    if (mod) return `module:${mod}`;
    for (const star of m.stars) {
      const target = this.modules.get(star);
      if (target && !local.startsWith('_') && (target.classes.has(local) || target.functions.has(local) || target.imports.has(local) || target.aliases.has(local)))
        return this.name(target, local, depth + 1);
    }
    if (m.mod !== 'builtins') {
      const b = this.modules.get('builtins');
      if (b && (b.classes.has(local) || b.functions.has(local))) return `builtins.${local}`;
    }
    return undefined;
  }

  qualified(q, depth = 0) {
    if (depth > 12) return q;
    const i = q.lastIndexOf('.');
    const mod = this.modules.get(q.slice(0, i));
    if (!mod) return this.modules.has(q) ? `module:${q}` : q;
    return this.name(mod, q.slice(i + 1), depth + 1) ?? q;
  }

  /** The classes an annotation names, `None` and type parameters dropped; `Self` is the enclosing class. */
  typeOf(m, node, self, depth = 0) {
    if (!node || depth > 12) return [];
    switch (node.type) {
      case 'type':
        return this.typeOf(m, node.namedChildren[0], self, depth + 1);
      case 'none':
        return [];
      case 'binary_operator':
        return [...this.typeOf(m, node.childForFieldName('left'), self, depth + 1), ...this.typeOf(m, node.childForFieldName('right'), self, depth + 1)];
      case 'union_type':
        return node.namedChildren.flatMap((c) => this.typeOf(m, c, self, depth + 1));
      case 'generic_type':
      case 'subscript': {
        const head = node.type === 'subscript' ? node.childForFieldName('value') : node.namedChildren[0];
        const h = this.typeOf(m, head, self, depth + 1)[0];
        if (h === 'typing.Optional' || h === 'typing.Union') {
          const args = node.type === 'subscript' ? node.childrenForFieldName('subscript') : node.namedChildren[1]?.namedChildren ?? [];
          return args.flatMap((a) => this.typeOf(m, a, self, depth + 1));
        }
        return h ? [h] : [];
      }
      case 'identifier':
        if (node.text === 'Self' && self) return [self];
        return [this.name(m, node.text, depth + 1)].filter((x) => x && !x.startsWith('module:'));
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute').text;
        const base = obj.type === 'identifier' ? this.name(m, obj.text, depth + 1) : obj.type === 'attribute' ? `module:${obj.text}` : undefined;
        if (base?.startsWith('module:')) return [this.qualified(`${base.slice(7)}.${attr}`, depth + 1)];
        return [];
      }
      case 'string':
        return [];
      default:
        return [];
    }
  }

  /** Literal values an annotation allows (`Literal["r", "rt"]`, or an alias of unions of them), or undefined. */
  literals(m, node, depth = 0) {
    if (!node || depth > 12) return undefined;
    if (node.type === 'type') return this.literals(m, node.namedChildren[0], depth + 1);
    if (node.type === 'binary_operator') {
      const l = this.literals(m, node.childForFieldName('left'), depth + 1);
      const r = this.literals(m, node.childForFieldName('right'), depth + 1);
      return l && r ? [...l, ...r] : undefined;
    }
    if (node.type === 'union_type') {
      const parts = node.namedChildren.map((c) => this.literals(m, c, depth + 1));
      return parts.every(Boolean) ? parts.flat() : undefined;
    }
    if (node.type === 'generic_type' || node.type === 'subscript') {
      const head = node.type === 'subscript' ? node.childForFieldName('value') : node.namedChildren[0];
      if (!/(^|\.)Literal$/.test(head.text)) return undefined;
      const args = node.type === 'subscript' ? node.childrenForFieldName('subscript') : node.namedChildren[1]?.namedChildren ?? [];
      const out = [];
      for (const a of args) {
        const v = a.type === 'type' ? a.namedChildren[0] : a;
        if (v.type === 'string') out.push(v.text.slice(1, -1));
        else if (v.type === 'integer' || v.type === 'unary_operator') out.push(Number(v.text));
        else if (v.type === 'true' || v.type === 'false') out.push(v.type === 'true');
        else return undefined;
      }
      return out;
    }
    if (node.type === 'identifier') {
      const alias = m.aliases.get(node.text);
      if (alias) return this.literals(m, alias, depth + 1);
      const imported = m.imports.get(node.text);
      if (imported) {
        const i = imported.lastIndexOf('.');
        const target = this.modules.get(imported.slice(0, i));
        if (target) return this.literals(target, { type: 'identifier', text: imported.slice(i + 1) }, depth + 1);
      }
    }
    return undefined;
  }
}

function informative(t) {
  return t && !UNINFORMATIVE.test(t) && !t.startsWith('module:');
}

/**
 * What a function or method returns: one type, or for overloads whose literal arguments decide
 * (`open(p, "rb")`), a list of [type, {param: allowed literals, "?param": has a default}].
 */
function returns(r, m, overloads, self) {
  const out = [];
  for (const { def, rt } of overloads) {
    const t = r.typeOf(m, rt, self)[0];
    const when = {};
    const params = def.childForFieldName('parameters').namedChildren;
    let index = 0;
    for (const p of params) {
      if (p.type === 'keyword_separator' || p.type === 'positional_separator' || p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') continue;
      const name = (p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier') ?? p).text;
      const pos = index++;
      if (self && pos === 0 && (name === 'self' || name === 'cls')) continue;
      const lits = r.literals(m, p.childForFieldName('type'));
      if (!lits) continue;
      const dflt = p.childForFieldName('value');
      when[name] = { at: self ? pos - 1 : pos, values: lits, optional: !!dflt };
    }
    out.push({ t: informative(t) ? t : null, when });
  }
  const distinct = new Set(out.map((o) => o.t));
  if (distinct.size === 1) return out[0].t ?? undefined;
  if (out.every((o) => o.t === null)) return undefined;
  return out.map((o) => [o.t, Object.fromEntries(Object.entries(o.when).map(([k, w]) => [k, [w.at, w.optional ? 1 : 0, literalSet(w.values)]]))]);
}

// Literal sets repeat (every `mode: OpenTextMode`): each is stored once, overloads name its index.
const literalSets = [];
const literalIndex = new Map();
function literalSet(values) {
  const key = JSON.stringify(values);
  let i = literalIndex.get(key);
  if (i === undefined) {
    i = literalSets.length;
    literalSets.push(values);
    literalIndex.set(key, i);
  }
  return i;
}

function compile(modules) {
  const r = new Resolver(modules);
  const out = {};
  for (const m of [...modules.values()].sort((a, b) => a.mod.localeCompare(b.mod))) {
    const entry = {};
    const classes = {};
    for (const [name, cls] of m.classes) {
      const q = `${m.mod}.${name}`;
      const c = {};
      const bases = cls.bases.flatMap((b) => r.typeOf(m, b, q)).filter((b) => b !== 'builtins.object' && !/^typing(_extensions)?\.(Generic|Protocol)$/.test(b));
      if (bases.length) c.b = bases;
      const methods = {};
      for (const [mname, overloads] of cls.methods) {
        if (mname.startsWith('__') && !['__enter__', '__next__', '__iter__', '__aenter__', '__call__'].includes(mname)) continue;
        const t = returns(r, m, overloads, q);
        if (t !== undefined) methods[mname] = t;
      }
      if (Object.keys(methods).length) c.m = methods;
      const attrs = {};
      for (const [aname, type] of cls.attrs) {
        const t = r.typeOf(m, type, q)[0];
        if (informative(t)) attrs[aname] = t;
      }
      if (Object.keys(attrs).length) c.a = attrs;
      classes[name] = c;
    }
    if (Object.keys(classes).length) entry.c = classes;
    const functions = {};
    for (const [name, overloads] of m.functions) {
      const t = returns(r, m, overloads);
      if (t !== undefined) functions[name] = t;
    }
    if (Object.keys(functions).length) entry.f = functions;
    const attrs = {};
    for (const [name, type] of m.attrs) {
      const t = r.typeOf(m, type)[0];
      if (informative(t)) attrs[name] = t;
    }
    if (Object.keys(attrs).length) entry.a = attrs;
    // Names a module re-exports (`from _io import TextIOWrapper as TextIOWrapper`) or aliases.
    const reexports = {};
    const starred = m.stars.flatMap((star) => {
      const t = modules.get(star);
      return t ? [...t.classes.keys(), ...t.functions.keys(), ...t.imports.keys()].filter((n) => !n.startsWith('_')) : [];
    });
    for (const local of [...m.imports.keys(), ...m.aliases.keys(), ...starred]) {
      if (local.startsWith('_') && !m.mod.startsWith('_')) continue;
      if (m.classes.has(local) || m.functions.has(local)) continue;
      const t = r.name(m, local);
      if (t && !t.startsWith('module:') && t !== `${m.mod}.${local}` && (modules.get(t.slice(0, t.lastIndexOf('.')))?.classes.has(t.slice(t.lastIndexOf('.') + 1)) || modules.get(t.slice(0, t.lastIndexOf('.')))?.functions.has(t.slice(t.lastIndexOf('.') + 1))))
        reexports[local] = t;
    }
    for (const [local, t] of Object.entries(reexports)) if (REEXPORT_NOISE.test(t)) delete reexports[local];
    if (Object.keys(reexports).length) entry.r = reexports;
    if (Object.keys(entry).length) out[m.mod] = entry;
  }
  return out;
}

/**
 * The pickle probes, merged: failing types only, the runtime's words per version where they differ.
 * A runtime type with no public name (`posix.ScandirIterator`) is joined to the stub name of what
 * its recipe calls (`os.scandir()` returns `os._ScandirIterator` in the stubs).
 */
function pickleTable(resolver) {
  const dir = path.join(root, 'data', 'python-pickle');
  const versions = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  versions.sort((a, b) => a.python.localeCompare(b.python, undefined, { numeric: true }));
  const types = {};
  const names = {};
  for (const v of versions) {
    for (const [key, e] of Object.entries(v.types)) {
      // An abstract class has no instances of its own: no verdict to merge.
      if (e.how === 'undecided' || e.how === 'abstract') continue;
      const t = (types[key] ??= { v: {} });
      t.v[v.python] = [e.pickle, e.task, e.spawn];
      for (const n of e.names) if (n !== key) (names[n] ??= new Set()).add(key);
      const call = /^([\w.]+)\(\)$/.exec(e.recipe ?? '');
      const made = call && resolver(call[1]);
      if (made && made !== key) (names[made] ??= new Set()).add(key);
    }
  }
  const out = {};
  for (const [key, t] of Object.entries(types)) {
    const verdicts = Object.entries(t.v);
    if (verdicts.every(([, x]) => x.every((s) => s === 'ok'))) continue;
    // Versions with the same words collapse into one entry: {"3.11.2 3.11.7": [pickle, task, spawn]}.
    const grouped = {};
    for (const [ver, x] of verdicts) {
      const k = JSON.stringify(x);
      grouped[k] = grouped[k] ? `${grouped[k]} ${ver}` : ver;
    }
    out[key] = Object.fromEntries(Object.entries(grouped).map(([x, ver]) => [ver, JSON.parse(x).map((s) => (s === 'ok' ? 0 : s))]));
  }
  // Types that pickle on every version, by runtime and public name: a measured pass must not
  // inherit a failing base's verdict (an exception class whose base holds nothing bad).
  const clean = new Set();
  for (const [key, t] of Object.entries(types)) if (!out[key]) clean.add(key);
  for (const [n, keys] of Object.entries(names)) if ([...keys].every((k) => clean.has(k))) clean.add(n);
  const alias = {};
  for (const [n, keys] of Object.entries(names)) {
    const failing = [...keys].filter((k) => out[k]);
    if (failing.length) alias[n] = failing.sort()[0];
  }
  return {
    source: 'tools/probe/python-pickle.py under ' + versions.map((v) => `CPython ${v.python}`).join(', '),
    versions: versions.map((v) => v.python),
    types: Object.fromEntries(Object.entries(out).sort()),
    names: Object.fromEntries(Object.entries(alias).sort()),
    clean: [...clean].sort(),
  };
}

const p = await parser();
const stdlib = path.join(path.dirname(require.resolve('pyright/package.json')), 'dist', 'typeshed-fallback', 'stdlib');
const pyright = JSON.parse(fs.readFileSync(require.resolve('pyright/package.json'), 'utf8')).version;
const modules = new Map();
for (const f of stubFiles(stdlib)) if (!SKIPPED_MODULES.test(f.mod)) modules.set(f.mod, parseModule(p, f));
const outArg = process.argv.indexOf('--out');
const outDir = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'server', 'generated');
fs.mkdirSync(outDir, { recursive: true });
const stdlibTable = { source: `typeshed stdlib from pyright ${pyright}, read as CPython ${TARGET.join('.')} on ${PLATFORM}`, modules: compile(modules), literals: literalSets };
fs.writeFileSync(path.join(outDir, 'python-stdlib.json'), JSON.stringify(stdlibTable) + '\n');
const resolver = new Resolver(modules);
const callResult = (q) => {
  const i = q.lastIndexOf('.');
  const m = modules.get(q.slice(0, i));
  const target = m && resolver.name(m, q.slice(i + 1));
  if (!target) return undefined;
  const j = target.lastIndexOf('.');
  const tm = modules.get(target.slice(0, j));
  const overloads = tm?.functions.get(target.slice(j + 1));
  if (!overloads) return tm?.classes.has(target.slice(j + 1)) ? target : undefined;
  return resolver.typeOf(tm, overloads[0].rt)[0];
};
fs.writeFileSync(path.join(outDir, 'python-pickle.json'), JSON.stringify(pickleTable(callResult), null, 0) + '\n');
for (const f of ['python-stdlib.json', 'python-pickle.json']) console.log(`${f}: ${fs.statSync(path.join(outDir, f)).size} bytes`);
