import { keepEmitterOnThisSide, removeTimerHandle, sendCryptoRecipe, sendResolverServers, sendSocketAddress } from '../fixes/data-form';
import { passPathInsteadOfHandle } from '../fixes/path-for-handle';
import { nodeCloneVerdict } from '../node-clone-table';
import * as ts from 'typescript';
import { originsOf } from '../flow';
import { isLibraryFile } from '../origin';
import { article, jsRule, type TypeFacts, type TypeRule, type Verdict } from './rule';
import { needsTransfer } from './transfer-required';

// Node host objects whose own state holds functions or native handles (measured on Node 20
// and 24: streams, sockets, servers, child processes, workers, timers, EventEmitters with
// listeners, `process` all throw DataCloneError).
const hostClasses = new Set(['Stream', 'Readable', 'Writable', 'Duplex', 'Transform', 'Socket', 'Server', 'ChildProcess', 'Worker', 'Interface', 'Timeout', 'Immediate', 'Process', 'IncomingMessage', 'ServerResponse', 'ClientRequest', 'Agent', 'EventEmitter']);
// Crypto streams are lazily initialised: a fresh Hash/Cipher arrives as a methodless object instead of throwing.
const lazyCrypto = new Set(['Hash', 'Hmac', 'Cipher', 'Decipher', 'Cipheriv', 'Decipheriv', 'Sign', 'Verify']);
// Electron's own objects wrap native (gin) objects, and IPC events hold the sender and reply
// functions: Electron's serializer refuses them ("An object could not be cloned"; its IPC docs:
// "sending ... special Electron objects will throw an exception").
const electronHostObjects = new Set([
  'BaseWindow', 'BrowserWindow', 'BrowserView', 'WebContents', 'WebContentsView', 'View', 'WebFrameMain', 'Menu', 'MenuItem', 'Tray',
  'Session', 'Cookies', 'DownloadItem', 'UtilityProcess', 'ServiceWorkerMain', 'Debugger', 'WebRequest', 'Protocol',
  'IpcMainEvent', 'IpcMainInvokeEvent', 'IpcRendererEvent', 'IpcMainServiceWorkerEvent', 'IpcMainServiceWorkerInvokeEvent', 'IpcRenderer',
]);
const nodeModules = new Set(['global', 'events', 'stream', 'net', 'tls', 'http', 'https', 'http2', 'child_process', 'cluster', 'worker_threads', 'readline', 'fs', 'timers', 'process', 'dgram', 'zlib', 'repl', 'tty', 'node']);

export const noHostObject: TypeRule = {
  meta: jsRule('no-host-object', 'error', 'A Node host object (stream, socket, server, child process, worker, timer, EventEmitter) is sent, which throws DataCloneError.'),
  check(facts, ctx, _path, via) {
    if (!facts.fromLibrary && facts.classInstance && ctx.serializer === 'clone') return projectSubclass(facts, ctx.checker, ctx.program);
    if (!facts.fromLibrary || ctx.serializer !== 'clone' || !facts.origin) return undefined;
    if (facts.origin.module === 'electron' || facts.origin.module.startsWith('electron/')) {
      const native = facts.ancestry.find((n) => electronHostObjects.has(n));
      if (!native) return undefined;
      return { severity: 'error', reason: `is an Electron ${facts.name || native} object, which Electron's IPC cannot clone (Error: An object could not be cloned); send plain data (its id, the fields the other side needs) instead` };
    }
    // Node's measured verdict (tools/probe/node-clone.mjs) on a class no rule here names:
    // dns.Resolver, crypto.Sign, vm.Script, zlib streams, tls.SecureContext...
    const { module } = facts.origin;
    if (module !== 'dom' && module !== 'user' && module !== 'global') {
      const measured = nodeCloneVerdict(module.replace(/^node:/, ''), facts.name, ctx.target);
      if (measured === 'clones') return undefined;
      // A host class already named below keeps its message; a crypto stream the list calls lazy is decided by the measurement.
      if (measured && !facts.ancestry.some((n) => needsTransfer.has(n)) && (lazyCrypto.has(facts.name) || !facts.ancestry.some((n) => hostClasses.has(n)))) {
        // A hash or signature in progress is remade from its algorithm and the data fed so far.
        const instead = lazyCrypto.has(facts.name) ? 'the algorithm and the data fed to it so far, and create it again on the other side' : 'plain data (the options it was made from, a path, an id) instead';
        return { severity: 'error', reason: `is ${article(`${module}.${facts.name}`)} object, which Node refuses to clone (${measured.throws}); send ${instead}` };
      }
    }
    if (!nodeModules.has(facts.origin.module) && facts.origin.container !== 'NodeJS') return undefined;
    if (lazyCrypto.has(facts.name) || facts.ancestry.some((n) => needsTransfer.has(n))) return undefined;
    const host = facts.ancestry.find((n) => hostClasses.has(n));
    if (!host) return undefined;
    // A bare EventEmitter with no listener yet clones (measured: `_events` is an empty object) and
    // arrives without on/emit: a lost prototype (class-instance-loss), not a DataCloneError.
    if (host === 'EventEmitter' && facts.name === 'EventEmitter' && via && listenersRegistered(via, ctx.checker, ctx.program) === false) return undefined;
    const why = host === 'EventEmitter' ? 'its listeners are functions' : host === 'Timeout' || host === 'Immediate' ? 'it holds its callback' : 'it wraps native handles and callbacks';
    const shown = facts.origin.container === 'NodeJS' ? `NodeJS.${facts.name}` : facts.name;
    return { severity: 'error', reason: `is ${article(shown)} host object: ${why}, so it cannot be cloned (DataCloneError); send plain data (a path, an address, an id) instead` };
  },
  fixes(ctx) {
    // The path or address it was opened from, when this file shows it; else the address it is connected to.
    const opened = passPathInsteadOfHandle(ctx);
    return [...opened, ...(opened.length ? [] : sendSocketAddress(ctx)), ...sendResolverServers(ctx), ...sendCryptoRecipe(ctx), ...keepEmitterOnThisSide(ctx), ...removeTimerHandle(ctx)];
  },
};

/**
 * A project class extending a Node host class (`class ExportJob extends EventEmitter`): its
 * instances carry the host's own state (listeners, handles). An EventEmitter subclass clones as a
 * plain object until a listener is registered on an instance of it (measured: `_events` then holds
 * the function), so it is reported only when the program registers one.
 */
function projectSubclass(facts: TypeFacts, checker: ts.TypeChecker, program: ts.Program): Verdict | undefined {
  const host = facts.ancestry.slice(1).find((n) => hostClasses.has(n));
  if (!host || !hostBaseFromLibrary(facts.type, checker, program)) return undefined;
  if (host === 'EventEmitter' && !listenersOnInstancesOf(facts.type, checker, program)) return undefined;
  const why = host === 'EventEmitter' ? 'its listeners are functions' : 'it wraps native handles and callbacks';
  return { severity: 'error', reason: `is ${article(facts.name || 'instance')} instance, which extends the host class ${host}: ${why}, so it cannot be cloned (DataCloneError); send plain data (its fields, an id) instead`, descend: true };
}

/** Whether a base of `type` is declared by Node's typings (not a project class that happens to be named EventEmitter). */
function hostBaseFromLibrary(type: ts.Type, checker: ts.TypeChecker, program: ts.Program): boolean {
  const seen = new Set<ts.Type>();
  const queue: ts.Type[] = [type];
  while (queue.length && seen.size < 16) {
    const t = queue.shift()!;
    const target = (t as ts.TypeReference).target ?? t;
    if (seen.has(target)) continue;
    seen.add(target);
    let bases: readonly ts.BaseType[] = [];
    try {
      bases = target.flags & ts.TypeFlags.Object && (target as ts.ObjectType).objectFlags & (ts.ObjectFlags.Class | ts.ObjectFlags.Interface) ? checker.getBaseTypes(target as ts.InterfaceType) : [];
    } catch {
      bases = [];
    }
    for (const b of bases) {
      const d = b.getSymbol()?.declarations?.[0];
      if (d && hostClasses.has(b.getSymbol()!.getName()) && isLibraryFile(program, d.getSourceFile())) return true;
      queue.push(b);
    }
  }
  return false;
}

/** Whether the program calls `.on(...)`-like methods on a value typed as the class of `type` (also `this.on(...)` inside it). */
function listenersOnInstancesOf(type: ts.Type, checker: ts.TypeChecker, program: ts.Program): boolean {
  const cls = type.getSymbol();
  if (!cls) return false;
  for (const callee of listenerCalls(program)) {
    let t: ts.Type;
    try {
      t = checker.getTypeAtLocation(callee.expression);
    } catch {
      continue;
    }
    if (t.getSymbol() === cls) return true;
    // `function track(job) { job.on(...) }` in untyped code: what the callers pass.
    if (t.flags & ts.TypeFlags.Any && ts.isIdentifier(callee.expression)) {
      for (const o of originsOf(checker, callee.expression, { program })) {
        try {
          if (o !== callee.expression && checker.getTypeAtLocation(o).getSymbol() === cls) return true;
        } catch {
          continue;
        }
      }
    }
  }
  return false;
}

const listenerMethods = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);
const registrations = new WeakMap<ts.Program, ts.PropertyAccessExpression[]>();

/** Every `<receiver>.on(...)`-like call's callee in the program's own files, found once per program. */
function listenerCalls(program: ts.Program): ts.PropertyAccessExpression[] {
  let calls = registrations.get(program);
  if (calls) return calls;
  calls = [];
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || isLibraryFile(program, sf)) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && listenerMethods.has(n.expression.name.text)) calls!.push(n.expression);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  registrations.set(program, calls);
  return calls;
}

/**
 * Whether the program registers a listener on the emitter held by `member` (a field or a variable
 * it was shorthand for): false only when no `.on(...)` reaches it, also by name through an untyped
 * receiver (`upload.progress.on(...)` with `upload` untyped counts), undefined when it cannot tell.
 */
function listenersRegistered(member: ts.Symbol, checker: ts.TypeChecker, program: ts.Program): boolean | undefined {
  const decl = member.valueDeclaration ?? member.declarations?.[0];
  if (!decl) return undefined;
  const targets = new Set<ts.Node>([decl]);
  let name = member.getName();
  // `{ bus }` and `{ events: bus }` hold the variable: listeners are registered on `bus`.
  const held = ts.isShorthandPropertyAssignment(decl) ? checker.getShorthandAssignmentValueSymbol(decl) : ts.isPropertyAssignment(decl) && ts.isIdentifier(decl.initializer) ? checker.getSymbolAtLocation(decl.initializer) : undefined;
  if (held?.valueDeclaration) {
    targets.add(held.valueDeclaration);
    name = held.getName();
  } else if (held) return undefined;
  for (const callee of listenerCalls(program)) {
    const receiver = callee.expression;
    const key = ts.isPropertyAccessExpression(receiver) ? receiver.name : ts.isIdentifier(receiver) ? receiver : undefined;
    // `this.on(...)`, `make().on(...)`: not an emitter held in a field or variable.
    if (!key) continue;
    const sym = checker.getSymbolAtLocation(key);
    const d = sym?.valueDeclaration ?? sym?.declarations?.[0];
    if (d && targets.has(d)) return true;
    if (!sym && key.text === name) return true;
  }
  return false;
}
