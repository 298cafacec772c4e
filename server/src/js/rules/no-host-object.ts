import { removeTimerHandle, sendSocketAddress } from '../fixes/data-form';
import { passPathInsteadOfHandle } from '../fixes/path-for-handle';
import { nodeCloneVerdict } from '../node-clone-table';
import { article, jsRule, type TypeRule } from './rule';
import { needsTransfer } from './transfer-required';

// Node host objects whose own state holds functions or native handles (measured on Node 20
// and 24: streams, sockets, servers, child processes, workers, timers, EventEmitters with
// listeners, `process` all throw DataCloneError).
const hostClasses = new Set(['Stream', 'Readable', 'Writable', 'Duplex', 'Transform', 'Socket', 'Server', 'ChildProcess', 'Worker', 'Interface', 'Timeout', 'Immediate', 'Process', 'IncomingMessage', 'ServerResponse', 'ClientRequest', 'Agent', 'EventEmitter']);
// Crypto streams are lazily initialised: a fresh Hash/Cipher arrives as a methodless object instead of throwing.
const lazyCrypto = new Set(['Hash', 'Hmac', 'Cipher', 'Decipher', 'Cipheriv', 'Decipheriv', 'Sign', 'Verify']);
const nodeModules = new Set(['global', 'events', 'stream', 'net', 'tls', 'http', 'https', 'http2', 'child_process', 'cluster', 'worker_threads', 'readline', 'fs', 'timers', 'process', 'dgram', 'zlib', 'repl', 'tty', 'node']);

export const noHostObject: TypeRule = {
  meta: jsRule('no-host-object', 'error', 'A Node host object (stream, socket, server, child process, worker, timer, EventEmitter) is sent, which throws DataCloneError.'),
  check(facts, ctx) {
    if (!facts.fromLibrary || ctx.serializer !== 'clone' || !facts.origin) return undefined;
    // Node's measured verdict (tools/probe/node-clone.mjs) on a class no rule here names:
    // dns.Resolver, crypto.Sign, vm.Script, zlib streams, tls.SecureContext...
    const { module } = facts.origin;
    if (module !== 'dom' && module !== 'user' && module !== 'global') {
      const measured = nodeCloneVerdict(module.replace(/^node:/, ''), facts.name, ctx.target);
      if (measured === 'clones') return undefined;
      // A host class already named below keeps its message; a crypto stream the list calls lazy is decided by the measurement.
      if (measured && !facts.ancestry.some((n) => needsTransfer.has(n)) && (lazyCrypto.has(facts.name) || !facts.ancestry.some((n) => hostClasses.has(n))))
        return { severity: 'error', reason: `is ${article(`${module}.${facts.name}`)} object, which Node refuses to clone (${measured.throws}); send plain data (the options it was made from, a path, an id) instead` };
    }
    if (!nodeModules.has(facts.origin.module) && facts.origin.container !== 'NodeJS') return undefined;
    if (lazyCrypto.has(facts.name) || facts.ancestry.some((n) => needsTransfer.has(n))) return undefined;
    const host = facts.ancestry.find((n) => hostClasses.has(n));
    if (!host) return undefined;
    const why = host === 'EventEmitter' ? 'its listeners are functions' : host === 'Timeout' || host === 'Immediate' ? 'it holds its callback' : 'it wraps native handles and callbacks';
    const shown = facts.origin.container === 'NodeJS' ? `NodeJS.${facts.name}` : facts.name;
    return { severity: 'error', reason: `is ${article(shown)} host object: ${why}, so it cannot be cloned (DataCloneError); send plain data (a path, an address, an id) instead` };
  },
  fixes(ctx) {
    // The path or address it was opened from, when this file shows it; else the address it is connected to.
    const opened = passPathInsteadOfHandle(ctx);
    return [...opened, ...(opened.length ? [] : sendSocketAddress(ctx)), ...removeTimerHandle(ctx)];
  },
};
