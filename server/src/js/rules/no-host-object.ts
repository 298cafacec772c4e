import { removeTimerHandle, sendSocketAddress } from '../fixes/data-form';
import { passPathInsteadOfHandle } from '../fixes/path-for-handle';
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
