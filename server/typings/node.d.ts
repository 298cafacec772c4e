// Fallback typings used only when a project has no @types/node: just enough of Node's API for
// sendcheck to recognise its boundaries (worker_threads, child_process, cluster, process.send,
// structuredClone) and the host objects that cannot cross them.

declare namespace NodeJS {
  interface Timeout { ref(): this; unref(): this; hasRef(): boolean; refresh(): this; [Symbol.toPrimitive](): number }
  interface Immediate { ref(): this; unref(): this; hasRef(): boolean }
  interface Process extends EventEmitterLike {
    env: Record<string, string | undefined>;
    argv: string[];
    execArgv: string[];
    pid: number;
    exitCode?: number;
    send?(message: any, sendHandle?: any, options?: any, callback?: (error: Error | null) => void): boolean;
    exit(code?: number): never;
    cwd(): string;
    on(event: string, listener: (...args: any[]) => void): this;
    hrtime: { (time?: [number, number]): [number, number]; bigint(): bigint };
    uptime(): number;
  }
  interface EventEmitterLike { on(event: string | symbol, listener: (...args: any[]) => void): this }
}
declare var process: NodeJS.Process;
declare function setTimeout(callback: (...args: any[]) => void, ms?: number, ...args: any[]): NodeJS.Timeout;
declare function setInterval(callback: (...args: any[]) => void, ms?: number, ...args: any[]): NodeJS.Timeout;
declare function setImmediate(callback: (...args: any[]) => void, ...args: any[]): NodeJS.Immediate;
declare function clearTimeout(t: NodeJS.Timeout | string | number | undefined): void;
declare function clearInterval(t: NodeJS.Timeout | string | number | undefined): void;
declare function structuredClone<T = any>(value: T, options?: { transfer?: readonly any[] }): T;
declare var require: { (id: string): any; resolve(id: string): string };
// Buffer: what tells a pooled Buffer (`from`, `concat`, `allocUnsafe`) from one with memory of its own (`alloc`).
interface Buffer extends Uint8Array<ArrayBuffer> { toString(encoding?: string, start?: number, end?: number): string; subarray(start?: number, end?: number): Buffer; slice(start?: number, end?: number): Buffer }
interface BufferConstructor {
  from(data: string | ArrayLike<number> | Uint8Array, encoding?: string): Buffer;
  from(arrayBuffer: ArrayBuffer | SharedArrayBuffer, byteOffset?: number, length?: number): Buffer;
  alloc(size: number, fill?: string | number | Uint8Array, encoding?: string): Buffer;
  allocUnsafe(size: number): Buffer;
  allocUnsafeSlow(size: number): Buffer;
  concat(list: readonly Uint8Array[], totalLength?: number): Buffer;
  byteLength(string: string | ArrayBufferView | ArrayBuffer, encoding?: string): number;
  isBuffer(obj: any): obj is Buffer;
  poolSize: number;
}
declare var Buffer: BufferConstructor;
declare var module: { exports: any };
declare var __dirname: string;
declare var __filename: string;

declare module 'events' {
  class EventEmitter {
    on(event: string | symbol, listener: (...args: any[]) => void): this;
    once(event: string | symbol, listener: (...args: any[]) => void): this;
    off(event: string | symbol, listener: (...args: any[]) => void): this;
    emit(event: string | symbol, ...args: any[]): boolean;
  }
  namespace EventEmitter { export { EventEmitter } }
  export = EventEmitter;
}
declare module 'stream' {
  import { EventEmitter } from 'events';
  class Stream extends EventEmitter { pipe<T>(destination: T): T }
  class Readable extends Stream { read(size?: number): any; static from(iterable: any): Readable }
  class Writable extends Stream { write(chunk: any): boolean; end(): this }
  class Duplex extends Readable { write(chunk: any): boolean; end(): this }
  class Transform extends Duplex {}
  class PassThrough extends Transform {}
  namespace Stream { export { Readable, Writable, Duplex, Transform, PassThrough, Stream } }
  export = Stream;
}
declare module 'net' {
  import { Duplex } from 'stream';
  import { EventEmitter } from 'events';
  class Socket extends Duplex { remoteAddress?: string; connect(port: number, host?: string): this }
  class Server extends EventEmitter { listen(port?: number): this; close(): this }
  function createServer(listener?: (socket: Socket) => void): Server;
  function connect(port: number, host?: string): Socket;
}
declare module 'fs/promises' {
  interface FileHandle { readonly fd: number; close(): Promise<void>; readFile(options?: any): Promise<any> }
  function open(path: string, flags?: string): Promise<FileHandle>;
  function readFile(path: string, options?: any): Promise<any>;
}
declare module 'fs' {
  // With an `export *` in it, a module declaration exports only what says `export`.
  import { Readable, Writable } from 'stream';
  export class ReadStream extends Readable { path: string }
  export class WriteStream extends Writable { path: string }
  export function createReadStream(path: string | URL, options?: any): ReadStream;
  export function createWriteStream(path: string | URL, options?: any): WriteStream;
  export function readFileSync(path: string | URL | number, options?: { encoding?: null; flag?: string } | null): Buffer;
  export function readFileSync(path: string | URL | number, options: string | { encoding: string; flag?: string }): string;
  export function writeFileSync(path: string | URL | number, data: any): void;
  // Stats arrive as plain objects (no isFile()); with `bigint: true` their fields are bigints, which JSON IPC refuses.
  export class Stats { size: number; mtimeMs: number; mode: number; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }
  export class BigIntStats { size: bigint; mtimeMs: bigint; mtimeNs: bigint; mode: bigint; ino: bigint; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }
  interface StatOptions { bigint?: boolean; throwIfNoEntry?: boolean }
  export function statSync(path: string | URL, options: StatOptions & { bigint: true }): BigIntStats;
  export function statSync(path: string | URL, options?: StatOptions & { bigint?: false }): Stats;
  export function lstatSync(path: string | URL, options: StatOptions & { bigint: true }): BigIntStats;
  export function lstatSync(path: string | URL, options?: StatOptions & { bigint?: false }): Stats;
  export function fstatSync(fd: number, options: { bigint: true }): BigIntStats;
  export function fstatSync(fd: number, options?: { bigint?: false }): Stats;
  export * as promises from 'fs/promises';
}
declare module 'worker_threads' {
  import { EventEmitter } from 'events';
  type TransferListItem = ArrayBuffer | MessagePort | import('fs/promises').FileHandle | any;
  class MessagePort extends EventEmitter {
    postMessage(value: any, transferList?: readonly TransferListItem[]): void;
    close(): void; start(): void; ref(): void; unref(): void;
  }
  class MessageChannel { readonly port1: MessagePort; readonly port2: MessagePort }
  class BroadcastChannel { constructor(name: string); postMessage(message: unknown): void; close(): void }
  interface WorkerOptions { eval?: boolean; workerData?: any; transferList?: readonly TransferListItem[]; env?: any; argv?: any[]; execArgv?: string[] }
  class Worker extends EventEmitter {
    constructor(filename: string | URL, options?: WorkerOptions);
    postMessage(value: any, transferList?: readonly TransferListItem[]): void;
    terminate(): Promise<number>; ref(): void; unref(): void;
    readonly threadId: number;
  }
  const isMainThread: boolean;
  const parentPort: null | MessagePort;
  const workerData: any;
  const threadId: number;
}
declare module 'child_process' {
  import { EventEmitter } from 'events';
  interface ForkOptions { serialization?: 'json' | 'advanced'; execArgv?: string[]; env?: any; stdio?: any; silent?: boolean }
  class ChildProcess extends EventEmitter {
    send(message: any, sendHandle?: any, options?: any, callback?: (error: Error | null) => void): boolean;
    kill(signal?: string): boolean; disconnect(): void;
    readonly pid?: number;
  }
  function fork(modulePath: string | URL, args?: readonly string[] | ForkOptions, options?: ForkOptions): ChildProcess;
  function spawn(command: string, args?: readonly string[], options?: any): ChildProcess;
}
declare module 'cluster' {
  import { EventEmitter } from 'events';
  class Worker extends EventEmitter { send(message: any, sendHandle?: any, callback?: (error: Error | null) => void): boolean; readonly id: number }
  interface Cluster extends EventEmitter { isPrimary: boolean; isMaster: boolean; fork(env?: any): Worker; worker?: Worker }
  const cluster: Cluster;
  export default cluster;
}
declare module 'crypto' {
  import { Transform, Writable } from 'stream';
  class KeyObject { readonly type: string; export(options?: any): any }
  // Node's crypto streams: a Sign/Verify throws DataCloneError, a Hash/Hmac/Cipher arrives without its methods.
  class Hash extends Transform { update(data: any, inputEncoding?: string): Hash; digest(encoding?: string): any; copy(): Hash }
  class Hmac extends Transform { update(data: any, inputEncoding?: string): Hmac; digest(encoding?: string): any }
  class Sign extends Writable { update(data: any, inputEncoding?: string): this; sign(privateKey: any, outputFormat?: string): any }
  class Verify extends Writable { update(data: any, inputEncoding?: string): this; verify(key: any, signature: any, signatureEncoding?: string): boolean }
  class Cipheriv extends Transform { update(data: any, inputEncoding?: string, outputEncoding?: string): any; final(outputEncoding?: string): any }
  class Decipheriv extends Transform { update(data: any, inputEncoding?: string, outputEncoding?: string): any; final(outputEncoding?: string): any }
  function createSecretKey(key: any): KeyObject;
  function createPublicKey(key: any): KeyObject;
  function createPrivateKey(key: any): KeyObject;
  function generateKeyPairSync(type: string, options?: any): { publicKey: KeyObject; privateKey: KeyObject };
  function createHash(algorithm: string, options?: any): Hash;
  function createHmac(algorithm: string, key: any, options?: any): Hmac;
  function createSign(algorithm: string, options?: any): Sign;
  function createVerify(algorithm: string, options?: any): Verify;
  function createCipheriv(algorithm: string, key: any, iv: any, options?: any): Cipheriv;
  function createDecipheriv(algorithm: string, key: any, iv: any, options?: any): Decipheriv;
  function sign(algorithm: string | null | undefined, data: any, key: any): Buffer;
  function verify(algorithm: string | null | undefined, data: any, key: any, signature: any): boolean;
  function randomBytes(size: number): Buffer;
  function randomUUID(): string;
}
// `export =` so that `const { EventEmitter } = require('node:events')` and `import { EventEmitter } from 'node:events'` resolve.
declare module 'node:events' { import E = require('events'); export = E }
declare module 'node:stream' { import S = require('stream'); export = S }
declare module 'node:net' { export * from 'net' }
declare module 'node:fs' { export * from 'fs' }
declare module 'node:fs/promises' { export * from 'fs/promises' }
declare module 'node:worker_threads' { export * from 'worker_threads' }
declare module 'node:child_process' { export * from 'child_process' }
declare module 'node:cluster' { import c from 'cluster'; export default c; export * from 'cluster' }
declare module 'node:crypto' { export * from 'crypto' }
