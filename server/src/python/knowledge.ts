// What the standard library and the process-pool libraries make, measured against CPython 3.11
// (../shared/truth/runtime-truth.md). Keys are fully qualified names after import resolution.
//
// The hand-written records below say more than the generated tables where they exist (a rule of
// their own, advice, a role whose methods matter); every other standard-library type and call is
// answered from the generated tables in stdlib.ts (typeshed's stubs, CPython's pickle probes).
import type { PythonSerializer } from '../engine/config';
import type { Node } from './parser';
import { pickleFacts, stubAttributeType, stubCallResult, stubLookup, stubMethodResult } from './stdlib';

export type Transport =
  /** Process target/args, Pool and executor initializer/initargs: pickled only when the child is spawned. */
  | 'spawn-args'
  /** Pool tasks, executor submissions, Queue.put, Connection.send: always pickled (ForkingPickler). */
  | 'task'
  /** Plain `pickle.dump(s)`: no multiprocessing reducers. */
  | 'pickle'
  /** Process target/args under fork: not pickled but copied into the child. */
  | 'fork-copy';

export interface TypeProblem {
  rule: string;
  /** Short noun phrase for messages: "a thread lock". */
  what: string;
  /** The runtime's own words. */
  runtime: string;
  /** `plain-pickle`: only plain pickle refuses it (multiprocessing registers a reducer). `not-spawn-args`: fine when a child is spawned with it. */
  only?: 'plain-pickle' | 'not-spawn-args';
  /** Serializers that do send it (cloudpickle and dill reduce what pickle refuses). */
  sentBy?: PythonSerializer[];
  /**
   * A module that, once a program imports it, registers a multiprocessing reducer for it
   * (`multiprocessing.managers` sends dict views as lists): no finding for tasks and process
   * arguments of a program that imports it.
   */
  reducerIn?: 'multiprocessing.managers';
  /** What to send instead, when it is more specific than the rule's advice. */
  advice?: string;
}

export type Role =
  | 'mp-context'
  | 'process-pool'
  | 'process-executor'
  | 'thread-pool'
  | 'mp-queue'
  | 'proxy-queue'
  | 'connection'
  | 'manager'
  | 'proxy'
  | 'proxy-dict'
  | 'proxy-list'
  | 'proxy-namespace'
  | 'dask-client'
  | 'path'
  | 'sqlite-connection'
  | 'regex'
  | 'event-loop'
  | 'h5py-group'
  | 'cloud-session';

export interface TypeInfo {
  display: string;
  problem?: TypeProblem;
  role?: Role;
}

const lock = (display: string, lockType: string): TypeInfo => ({
  display,
  problem: { rule: 'py-thread-lock', what: `a ${display}`, runtime: `TypeError: cannot pickle '${lockType}' object` },
});
const threadQueue = (display: string, inner = '_thread.lock', advice?: string): TypeInfo => ({
  display,
  problem: { rule: 'py-thread-queue', what: `a ${display} (a queue for threads)`, runtime: `TypeError: cannot pickle '${inner}' object`, advice },
});
// multiprocessing has no LIFO or priority queue, and a Manager serves neither by default.
const orderedQueueAdvice = (cls: string) =>
  `multiprocessing has no ${cls}: register it on a manager (\`class QueueManager(BaseManager): pass\`, \`QueueManager.register("${cls}", queue.${cls})\`) and send the proxy it returns, or send the items (\`list(q.queue)\`) and rebuild the queue in the worker`;
const inheritOnly = (display: string, kind: string, role?: Role): TypeInfo => ({
  display,
  role,
  problem: {
    rule: 'py-mp-inherit-only',
    what: `a ${display}`,
    runtime: `RuntimeError: ${kind} objects should only be shared between processes through inheritance`,
    only: 'not-spawn-args',
  },
});
const handle = (display: string, runtime: string, only?: TypeProblem['only'], role?: Role, advice?: string): TypeInfo => ({
  display,
  role,
  problem: { rule: 'py-open-handle', what: `an open ${display}`, runtime, only, advice },
});
const other = (display: string, what: string, runtime: string, role?: Role, advice?: string): TypeInfo => ({
  display,
  role,
  problem: { rule: 'py-unpicklable-object', what, runtime, advice },
});
/** A dict's view: plain pickle refuses it; cloudpickle and dill send it, and so does multiprocessing once managers is imported. */
function dictView(name: 'keys' | 'values' | 'items'): TypeInfo {
  const info = other(`dict_${name}`, `a dict_${name} view`, `TypeError: cannot pickle 'dict_${name}' object`, undefined, `send \`list(d.${name}())\` instead`);
  return { ...info, problem: { ...info.problem!, sentBy: ['cloudpickle', 'dill'], reducerIn: 'multiprocessing.managers' } };
}
const keepPoolOut = 'keep the pool out of what you send: submit a module-level function, or leave the pool out in `__getstate__`';

/** Types by the name sendcheck gives them. */
const handWritten: Record<string, TypeInfo> = {
  'threading.Lock': lock('threading.Lock', '_thread.lock'),
  'threading.RLock': lock('threading.RLock', '_thread.RLock'),
  '_thread.lock': lock('_thread.lock', '_thread.lock'),
  '_thread.RLock': lock('_thread.RLock', '_thread.RLock'),
  'threading.Condition': lock('threading.Condition', '_thread.RLock'),
  'threading.Semaphore': lock('threading.Semaphore', '_thread.lock'),
  'threading.BoundedSemaphore': lock('threading.BoundedSemaphore', '_thread.lock'),
  'threading.Event': lock('threading.Event', '_thread.lock'),
  'threading.Barrier': lock('threading.Barrier', '_thread.lock'),
  'queue.Queue': threadQueue('queue.Queue'),
  'queue.LifoQueue': threadQueue('queue.LifoQueue', undefined, orderedQueueAdvice('LifoQueue')),
  'queue.PriorityQueue': threadQueue('queue.PriorityQueue', undefined, orderedQueueAdvice('PriorityQueue')),
  'queue.SimpleQueue': threadQueue('queue.SimpleQueue', '_queue.SimpleQueue'),
  'threading.local': {
    display: 'threading.local',
    problem: { rule: 'py-thread-local', what: 'a threading.local', runtime: "TypeError: cannot pickle '_thread._local' object" },
  },
  '_thread._local': {
    display: '_thread._local',
    problem: { rule: 'py-thread-local', what: 'a _thread._local', runtime: "TypeError: cannot pickle '_thread._local' object" },
  },
  'contextvars.ContextVar': {
    display: 'contextvars.ContextVar',
    problem: { rule: 'py-context-var', what: 'a contextvars.ContextVar', runtime: "TypeError: cannot pickle '_contextvars.ContextVar' object" },
  },
  'contextvars.Context': {
    display: 'contextvars.Context',
    problem: { rule: 'py-context-var', what: 'a contextvars.Context', runtime: "TypeError: cannot pickle '_contextvars.Context' object" },
  },
  'multiprocessing.Queue': inheritOnly('multiprocessing.Queue', 'Queue', 'mp-queue'),
  'multiprocessing.JoinableQueue': inheritOnly('multiprocessing.JoinableQueue', 'JoinableQueue', 'mp-queue'),
  'multiprocessing.SimpleQueue': inheritOnly('multiprocessing.SimpleQueue', 'SimpleQueue', 'mp-queue'),
  'multiprocessing.Lock': inheritOnly('multiprocessing.Lock', 'Lock'),
  'multiprocessing.RLock': inheritOnly('multiprocessing.RLock', 'RLock'),
  'multiprocessing.Semaphore': inheritOnly('multiprocessing.Semaphore', 'Semaphore'),
  'multiprocessing.BoundedSemaphore': inheritOnly('multiprocessing.BoundedSemaphore', 'BoundedSemaphore'),
  'multiprocessing.Condition': inheritOnly('multiprocessing.Condition', 'Condition'),
  'multiprocessing.Event': inheritOnly('multiprocessing.Event', 'Condition'),
  'multiprocessing.Barrier': inheritOnly('multiprocessing.Barrier', 'Condition'),
  'multiprocessing.Value': inheritOnly('multiprocessing.Value', 'Synchronized'),
  'multiprocessing.Array': inheritOnly('multiprocessing.Array', 'SynchronizedArray'),
  'io.TextIOWrapper': handle('file', "TypeError: cannot pickle '_io.TextIOWrapper' object"),
  'io.BufferedReader': handle('file', "TypeError: cannot pickle '_io.BufferedReader' object"),
  'io.FileIO': handle('file', "TypeError: cannot pickle '_io.FileIO' object"),
  'tempfile.TemporaryFile': handle('temporary file', "TypeError: cannot pickle '_io.BufferedRandom' object", undefined, undefined, 'an unnamed temporary file cannot be reopened elsewhere: send its contents (`f.seek(0); f.read()`), or make it with `tempfile.NamedTemporaryFile(delete=False)` and send `f.name`'),
  'sqlite3.Connection': handle('sqlite3.Connection', "TypeError: cannot pickle 'sqlite3.Connection' object", undefined, 'sqlite-connection'),
  'sqlite3.Cursor': handle('sqlite3.Cursor', "TypeError: cannot pickle 'sqlite3.Cursor' object", undefined, undefined, 'send the rows (`cur.fetchall()`), or the database path and the query, and run the query in the worker on its own connection'),
  'socket.socket': handle('socket', "TypeError: cannot pickle 'socket' object", 'plain-pickle', undefined, 'send the address (`sock.getpeername()` or the host and port it was connected to) and connect in the worker; to hand over a live connection use `multiprocessing.reduction.send_handle`'),
  'os.environ': other('os.environ', 'os.environ', "AttributeError: Can't pickle local object '_createenviron.<locals>.encode'", undefined, 'send `dict(os.environ)` instead'),
  'asyncio.AbstractEventLoop': other('asyncio event loop', 'an asyncio event loop', "AttributeError: Can't pickle local object 'WeakSet.__init__.<locals>._remove'", 'event-loop', 'send nothing for it: run the coroutine in the worker with `asyncio.run(coro_fn(*args))`, or send the loop-independent data it was going to work on'),
  'concurrent.futures.Future': other('concurrent.futures.Future', 'a concurrent.futures.Future', "TypeError: cannot pickle '_thread.RLock' object", undefined, 'send its result (`future.result()`) instead'),
  'asyncio.Future': other('asyncio.Future', 'an asyncio.Future', "TypeError: cannot pickle '_asyncio.Future' object"),
  'subprocess.Popen': other('subprocess.Popen', 'a subprocess.Popen', "TypeError: cannot pickle '_thread.lock' object", undefined, 'send the command (`proc.args`) and start the process in the worker, or wait for it here and send its output (`proc.communicate()`) or `proc.returncode`'),
  'threading.Thread': other('threading.Thread', 'a threading.Thread', "TypeError: cannot pickle '_thread.lock' object", undefined, 'send what the thread was made from (its target is a module-level function: send its arguments) and start the thread inside the worker; to report on it, send `t.name` or `t.is_alive()`'),
  'threading.Timer': other('threading.Timer', 'a threading.Timer', "TypeError: cannot pickle '_thread.lock' object", undefined, 'start timers inside the worker instead'),
  'logging.Handler': other('logging.Handler', 'a logging handler', "TypeError: cannot pickle '_thread.RLock' object", undefined, 'send the logger (it pickles by name) and configure handlers in the worker, e.g. in a Pool `initializer`'),
  'builtins.generator': other('generator', 'a generator', "TypeError: cannot pickle 'generator' object", undefined, 'send a list (`list(...)`) or the arguments that make the generator'),
  'builtins.coroutine': other('coroutine', 'a coroutine', "TypeError: cannot pickle 'coroutine' object", undefined, 'send the coroutine function and its arguments, and run it in the worker'),
  'builtins.module': other('module', 'a module object', "TypeError: cannot pickle 'module' object", undefined, 'import the module in the worker instead'),
  'builtins.memoryview': other('memoryview', 'a memoryview', 'TypeError: cannot pickle memoryview objects', undefined, 'send `bytes(view)` instead'),
  're.Match': other('re.Match', 'a re.Match', "TypeError: cannot pickle 're.Match' object", undefined, 'send `match.group(...)` or `match.span()` instead'),
  // Third-party clients and handles, measured with Debian's packages (tools/probe/python-third-party.py):
  // each holds sockets, a connection pool's lock or generated classes, so none pickles.
  'h5py.File': handle('h5py.File', 'TypeError: h5py objects cannot be pickled', undefined, 'h5py-group', 'send the file name and open it where it is read (in a Dataset: open it lazily on first `__getitem__`, or in `worker_init_fn`)'),
  'h5py.Group': handle('h5py.Group', 'TypeError: h5py objects cannot be pickled', undefined, 'h5py-group', 'send the file name and the group path, and open them where they are read'),
  'h5py.Dataset': handle('h5py.Dataset', 'TypeError: h5py objects cannot be pickled', undefined, undefined, 'send the file name and the dataset path (or `ds[...]` read into an array), and open them where they are read'),
  'redis.Redis': other('redis.Redis', 'a redis client', "TypeError: cannot pickle '_thread.lock' object", undefined, 'send its connection settings (the URL, or host and port) and create the client in the worker, once per process (a Pool `initializer` storing it in a module global)'),
  'redis.ConnectionPool': other('redis.ConnectionPool', 'a redis connection pool', "TypeError: cannot pickle '_thread.lock' object", undefined, 'send its connection settings and create the pool in the worker'),
  'pymongo.MongoClient': other('pymongo.MongoClient', 'a MongoClient', "TypeError: cannot pickle '_thread.lock' object", undefined, 'send the connection URI and create the MongoClient in the worker, once per process (a Pool `initializer` storing it in a module global)'),
  'botocore.client.BaseClient': other('boto3 client', 'a boto3 client', "PicklingError: Can't pickle <class 'botocore.client.…'>: attribute lookup … on botocore.client failed", undefined, 'send the service name and region (and the bucket or keys it works on) and call `boto3.client(...)` in the worker'),
  'boto3.resources.base.ServiceResource': other('boto3 resource', 'a boto3 resource', "PicklingError: Can't pickle <class 'boto3.resources.factory.…'>: attribute lookup … on boto3.resources.factory failed", undefined, 'send the service name and region and call `boto3.resource(...)` in the worker'),
  'boto3.session.Session': other('boto3.session.Session', 'a boto3 Session', "AttributeError: Can't pickle local object 'lazy_call.<locals>._handler'", 'cloud-session', 'send the profile or region and make the Session in the worker'),
  'sqlalchemy.engine.Engine': other('sqlalchemy Engine', 'a SQLAlchemy Engine', "AttributeError: Can't pickle local object 'create_engine.<locals>.connect'", undefined, 'send the database URL (`str(engine.url)`) and call `create_engine(url)` in the worker, once per process'),
  'sqlalchemy.orm.sessionmaker': other('sqlalchemy sessionmaker', 'a SQLAlchemy sessionmaker', "AttributeError: Can't pickle local object 'create_engine.<locals>.connect'", undefined, 'send the database URL and build the engine and sessionmaker in the worker'),
  // Dict views fail for every pickler unless the program imports multiprocessing.managers, which
  // registers reducers that send them as lists (Pool, ProcessPoolExecutor, Process do not import
  // it; the probe takes its verdicts without them). Written here for the advice.
  'builtins.dict_keys': dictView('keys'),
  'builtins.dict_values': dictView('values'),
  'builtins.dict_items': dictView('items'),
  'sqlite3.Row': other('sqlite3.Row', 'a sqlite3.Row', "TypeError: cannot pickle 'sqlite3.Row' object", undefined, 'convert each row to plain data where it is fetched (`dict(row)` keeps the column names, `tuple(row)` the order), or set `row_factory = None` on the connection that fetches these rows'),
  'weakref.ref': other('weakref.ref', 'a weak reference', "TypeError: cannot pickle 'weakref.ReferenceType' object", undefined, 'send the referenced object instead'),
  'types.MappingProxyType': other('types.MappingProxyType', 'a mappingproxy', "TypeError: cannot pickle 'mappingproxy' object", undefined, 'send `dict(proxy)` instead'),
  'builtins.exec-function': {
    display: 'function made by exec()',
    problem: {
      rule: 'py-unpicklable-object',
      what: 'a function made by `exec()`',
      runtime: "PicklingError: Can't pickle <function …>: attribute lookup … on __main__ failed",
      sentBy: ['cloudpickle', 'dill'],
      advice: 'pickle finds a function by its module and name, and this one has neither: define it in a module the worker imports, or send the source text and `exec` it in the worker',
    },
  },
  // ctypes objects that hold an address (measured with CPython 3.11, cloudpickle 2.2, dill 0.3):
  // an address means nothing in another process, so every pickler refuses them.
  'ctypes._Pointer': other('ctypes pointer', 'a ctypes pointer', 'ValueError: ctypes objects containing pointers cannot be pickled', undefined, 'send the value it points to (`ptr.contents` for a Structure, `ptr.contents.value` for a number) and take a pointer to it in the worker'),
  'ctypes.CArgObject': other('ctypes byref', 'a `ctypes.byref()` reference', "TypeError: cannot pickle 'CArgObject' object", undefined, 'send the object itself and call `ctypes.byref()` in the worker, where the foreign function is called'),
  // `create_string_buffer(n)` makes an array of a class ctypes builds on the fly: pickle cannot find it by name.
  'ctypes.c_char_Array': {
    ...other('ctypes string buffer', 'a ctypes string buffer', "PicklingError: Can't pickle <class 'ctypes.c_char_Array_…'>: attribute lookup c_char_Array_… on ctypes failed", undefined, 'send its bytes (`buf.raw`, or `buf.value` up to the first NUL) and make the buffer in the worker'),
    problem: { rule: 'py-unpicklable-object', what: 'a ctypes string buffer', runtime: "PicklingError: Can't pickle <class 'ctypes.c_char_Array_…'>: attribute lookup c_char_Array_… on ctypes failed", sentBy: ['cloudpickle'], advice: 'send its bytes (`buf.raw`, or `buf.value` up to the first NUL) and make the buffer in the worker' },
  },
  // Roles only: these pickle fine or are never sent, but calls on them matter.
  'multiprocessing.context': { display: 'multiprocessing context', role: 'mp-context' },
  'multiprocessing.pool.Pool': other('multiprocessing.Pool', 'a multiprocessing.Pool', 'NotImplementedError: pool objects cannot be passed between processes or pickled', 'process-pool', keepPoolOut),
  'multiprocessing.pool.ThreadPool': other('ThreadPool', 'a ThreadPool', 'NotImplementedError: pool objects cannot be passed between processes or pickled', 'thread-pool', keepPoolOut),
  'concurrent.futures.ProcessPoolExecutor': other('ProcessPoolExecutor', 'a ProcessPoolExecutor', "TypeError: cannot pickle '_thread.lock' object", 'process-executor', keepPoolOut),
  'concurrent.futures.ThreadPoolExecutor': other('ThreadPoolExecutor', 'a ThreadPoolExecutor', "TypeError: cannot pickle '_queue.SimpleQueue' object", 'thread-pool', keepPoolOut),
  'multiprocessing.connection.Connection': { display: 'multiprocessing Connection', role: 'connection' },
  'multiprocessing.managers.SyncManager': other('multiprocessing Manager', 'a multiprocessing Manager', "TypeError: cannot pickle 'weakref.ReferenceType' object when a child is spawned; TypeError: Pickling an AuthenticationString object is disallowed for security reasons otherwise", 'manager', 'make the proxies here (`manager.Queue()`, `manager.dict()`, `manager.Lock()`) and send those instead of the manager; the worker uses them as it would have used what the manager makes'),
  'multiprocessing.managers.Proxy': { display: 'Manager proxy', role: 'proxy' },
  'multiprocessing.managers.QueueProxy': { display: 'Manager queue proxy', role: 'proxy-queue' },
  // A proxy pickles to a reference; the values written into a dict, list or Namespace proxy are
  // pickled to the manager process at the write (sinks.ts).
  'multiprocessing.managers.DictProxy': { display: 'Manager dict proxy', role: 'proxy-dict' },
  'multiprocessing.managers.ListProxy': { display: 'Manager list proxy', role: 'proxy-list' },
  'multiprocessing.managers.NamespaceProxy': { display: 'Manager Namespace proxy', role: 'proxy-namespace' },
  'distributed.Client': { display: 'dask Client', role: 'dask-client' },
  'pathlib.Path': { display: 'pathlib.Path', role: 'path' },
  're.Pattern': { display: 're.Pattern', role: 'regex' },
  'logging.Logger': { display: 'logging.Logger' },
  'data': { display: 'data' },
};

// CPython's words for file objects: these are open handles, whichever buffering class they are.
const fileWords = /cannot pickle '(_io\.)?(FileIO|Buffered\w+|TextIOWrapper)' (object|instances)/;
const generated = new Map<string, TypeInfo | null>();

/** A standard-library type the hand-written records do not know, described from the generated tables. */
function generatedType(name: string): TypeInfo | undefined {
  const hit = generated.get(name);
  if (hit !== undefined) return hit ?? undefined;
  let info: TypeInfo | undefined;
  const facts = pickleFacts(name);
  const stub = stubLookup(name);
  if (facts || stub?.kind === 'class') {
    info = { display: name };
    const runtime = facts?.task ?? facts?.pickle;
    if (facts && runtime) {
      const only = facts.task ? (facts.spawn ? undefined : 'not-spawn-args') : 'plain-pickle';
      const words = facts.byVersion.length ? `${runtime} (${facts.byVersion.join('; ')})` : runtime;
      info.problem = fileWords.test(runtime)
        ? { rule: 'py-open-handle', what: `an open file (${name})`, runtime: words, only }
        : { rule: 'py-unpicklable-object', what: `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`, runtime: words, only };
    }
  }
  generated.set(name, info ?? null);
  return info;
}

/** Types by name: the hand-written records first, then the generated tables, asked only when a name is looked up. */
export const types: Record<string, TypeInfo> = new Proxy(handWritten, {
  get: (target, key) => (typeof key === 'string' ? (Object.hasOwn(target, key) ? target[key] : generatedType(key)) : undefined),
});

let handWrittenByStubName: Map<string, string> | undefined;
/** The hand-written name of a type the stubs call otherwise (`_io.TextIOWrapper` is `io.TextIOWrapper`). */
function preferHandWritten(type: string | undefined): string | undefined {
  if (!type) return undefined;
  if (!handWrittenByStubName) {
    handWrittenByStubName = new Map();
    for (const k of Object.keys(handWritten)) {
      const q = stubLookup(k);
      if (q?.kind === 'class' && q.q !== k && !handWrittenByStubName.has(q.q)) handWrittenByStubName.set(q.q, k);
    }
  }
  return handWrittenByStubName.get(type) ?? type;
}

/**
 * What calling a fully qualified name makes. The hand-written factory wins, except where the
 * stubs pick a more precise type for the same rule (`open(p, "rb")` is a BufferedReader, not a
 * TextIOWrapper, and CPython's message names it).
 */
export function factoryOf(qname: string, call?: Node): string | undefined {
  const hand = factories[qname];
  const raw = stubCallResult(qname, call);
  const stub = preferHandWritten(raw);
  if (hand && raw && stub && raw !== (stubLookup(hand)?.q ?? hand) && Object.hasOwn(handWritten, stub)) {
    const a = handWritten[hand]?.problem;
    const b = handWritten[stub].problem;
    if (a && b && a.rule === b.rule) return stub;
  }
  return hand ?? stub;
}

/** What calling `name` on an object of `type` makes: the hand-written role's methods, then the stubs. */
export function methodResultOf(type: string, role: Role | undefined, name: string, call?: Node): string | undefined {
  const hand = role ? methodResults[role]?.[name] : undefined;
  if (hand) return hand;
  return preferHandWritten(stubMethodResult(type, name, call));
}

/** A module attribute that is a known object (`os.environ`, `sys.stderr`), hand-written first. */
export function objectValueOf(qname: string): string | undefined {
  return objectValues[qname] ?? preferHandWritten(stubAttributeType(qname));
}

/** What calling a fully qualified name makes: the name of a type in `types`, or a special form. */
export const factories: Record<string, string> = {
  'h5py.File': 'h5py.File',
  'h5py.Group': 'h5py.Group',
  'h5py.Dataset': 'h5py.Dataset',
  'redis.Redis': 'redis.Redis',
  'redis.StrictRedis': 'redis.Redis',
  'redis.client.Redis': 'redis.Redis',
  'redis.client.StrictRedis': 'redis.Redis',
  'redis.from_url': 'redis.Redis',
  'redis.Redis.from_url': 'redis.Redis',
  'redis.StrictRedis.from_url': 'redis.Redis',
  'redis.ConnectionPool': 'redis.ConnectionPool',
  'redis.connection.ConnectionPool': 'redis.ConnectionPool',
  'redis.ConnectionPool.from_url': 'redis.ConnectionPool',
  'pymongo.MongoClient': 'pymongo.MongoClient',
  'pymongo.mongo_client.MongoClient': 'pymongo.MongoClient',
  'boto3.client': 'botocore.client.BaseClient',
  'boto3.resource': 'boto3.resources.base.ServiceResource',
  'boto3.Session': 'boto3.session.Session',
  'boto3.session.Session': 'boto3.session.Session',
  'sqlalchemy.create_engine': 'sqlalchemy.engine.Engine',
  'sqlalchemy.engine.create_engine': 'sqlalchemy.engine.Engine',
  'sqlalchemy.orm.sessionmaker': 'sqlalchemy.orm.sessionmaker',
  'threading.Lock': 'threading.Lock',
  'threading.RLock': 'threading.RLock',
  'threading.Condition': 'threading.Condition',
  'threading.Semaphore': 'threading.Semaphore',
  'threading.BoundedSemaphore': 'threading.BoundedSemaphore',
  'threading.Event': 'threading.Event',
  'threading.Barrier': 'threading.Barrier',
  'threading.local': 'threading.local',
  'threading.Thread': 'threading.Thread',
  'threading.Timer': 'threading.Timer',
  '_thread.allocate_lock': '_thread.lock',
  '_thread.LockType': '_thread.lock',
  '_thread.RLock': '_thread.RLock',
  '_thread._local': '_thread._local',
  'queue.Queue': 'queue.Queue',
  'queue.LifoQueue': 'queue.LifoQueue',
  'queue.PriorityQueue': 'queue.PriorityQueue',
  'queue.SimpleQueue': 'queue.SimpleQueue',
  'contextvars.ContextVar': 'contextvars.ContextVar',
  'contextvars.copy_context': 'contextvars.Context',
  'contextvars.Context': 'contextvars.Context',
  'builtins.open': 'io.TextIOWrapper',
  'io.open': 'io.TextIOWrapper',
  'io.FileIO': 'io.FileIO',
  'os.fdopen': 'io.TextIOWrapper',
  'codecs.open': 'io.TextIOWrapper',
  'gzip.open': 'io.BufferedReader',
  'bz2.open': 'io.BufferedReader',
  'lzma.open': 'io.BufferedReader',
  'tempfile.TemporaryFile': 'tempfile.TemporaryFile',
  'tempfile.NamedTemporaryFile': 'tempfile.TemporaryFile',
  'tempfile.SpooledTemporaryFile': 'tempfile.TemporaryFile',
  'sqlite3.connect': 'sqlite3.Connection',
  'sqlite3.Connection': 'sqlite3.Connection',
  'socket.socket': 'socket.socket',
  'socket.create_connection': 'socket.socket',
  'socket.create_server': 'socket.socket',
  'socket.fromfd': 'socket.socket',
  'asyncio.get_event_loop': 'asyncio.AbstractEventLoop',
  'asyncio.new_event_loop': 'asyncio.AbstractEventLoop',
  'asyncio.get_running_loop': 'asyncio.AbstractEventLoop',
  'asyncio.Future': 'asyncio.Future',
  'concurrent.futures.Future': 'concurrent.futures.Future',
  'subprocess.Popen': 'subprocess.Popen',
  'logging.Handler': 'logging.Handler',
  'logging.StreamHandler': 'logging.Handler',
  'logging.FileHandler': 'logging.Handler',
  'logging.handlers.RotatingFileHandler': 'logging.Handler',
  'logging.handlers.TimedRotatingFileHandler': 'logging.Handler',
  'logging.handlers.QueueHandler': 'logging.Handler',
  'logging.handlers.SocketHandler': 'logging.Handler',
  'logging.getLogger': 'logging.Logger',
  're.match': 're.Match',
  're.search': 're.Match',
  're.fullmatch': 're.Match',
  're.compile': 're.Pattern',
  'weakref.ref': 'weakref.ref',
  'types.MappingProxyType': 'types.MappingProxyType',
  'builtins.memoryview': 'builtins.memoryview',
  'pathlib.Path': 'pathlib.Path',
  'pathlib.PurePath': 'pathlib.Path',
  'multiprocessing.get_context': 'multiprocessing.context',
  'multiprocessing.Pool': 'multiprocessing.pool.Pool',
  'multiprocessing.pool.Pool': 'multiprocessing.pool.Pool',
  'multiprocessing.pool.ThreadPool': 'multiprocessing.pool.ThreadPool',
  'multiprocessing.dummy.Pool': 'multiprocessing.pool.ThreadPool',
  'multiprocessing.Queue': 'multiprocessing.Queue',
  'multiprocessing.queues.Queue': 'multiprocessing.Queue',
  'multiprocessing.JoinableQueue': 'multiprocessing.JoinableQueue',
  'multiprocessing.SimpleQueue': 'multiprocessing.SimpleQueue',
  'multiprocessing.Lock': 'multiprocessing.Lock',
  'multiprocessing.RLock': 'multiprocessing.RLock',
  'multiprocessing.Semaphore': 'multiprocessing.Semaphore',
  'multiprocessing.BoundedSemaphore': 'multiprocessing.BoundedSemaphore',
  'multiprocessing.Condition': 'multiprocessing.Condition',
  'multiprocessing.Event': 'multiprocessing.Event',
  'multiprocessing.Barrier': 'multiprocessing.Barrier',
  'multiprocessing.Value': 'multiprocessing.Value',
  'multiprocessing.Array': 'multiprocessing.Array',
  'multiprocessing.Manager': 'multiprocessing.managers.SyncManager',
  'multiprocessing.managers.SyncManager': 'multiprocessing.managers.SyncManager',
  'multiprocessing.Pipe': 'pipe',
  'socket.socketpair': 'socketpair',
  'concurrent.futures.ProcessPoolExecutor': 'concurrent.futures.ProcessPoolExecutor',
  'concurrent.futures.process.ProcessPoolExecutor': 'concurrent.futures.ProcessPoolExecutor',
  'concurrent.futures.ThreadPoolExecutor': 'concurrent.futures.ThreadPoolExecutor',
  'concurrent.futures.thread.ThreadPoolExecutor': 'concurrent.futures.ThreadPoolExecutor',
  'loky.ProcessPoolExecutor': 'concurrent.futures.ProcessPoolExecutor',
  'loky.get_reusable_executor': 'concurrent.futures.ProcessPoolExecutor',
  'joblib.externals.loky.get_reusable_executor': 'concurrent.futures.ProcessPoolExecutor',
  'distributed.Client': 'distributed.Client',
  'dask.distributed.Client': 'distributed.Client',
  'functools.partial': 'partial',
  // A call of `exec(source, namespace)` stands for what it defines into `namespace` (model.ts
  // records it as a write into that dict): functions whose module cannot be imported by name.
  'builtins.exec': 'builtins.exec-function',
  'ctypes.pointer': 'ctypes._Pointer',
  'ctypes.byref': 'ctypes.CArgObject',
  'ctypes.create_string_buffer': 'ctypes.c_char_Array',
};

/** Other names sendcheck recognises (sinks, start-method calls): a star import provides them too. */
export const knownFunctions = new Set([
  'multiprocessing.Process',
  'multiprocessing.set_start_method',
  'pickle.dump',
  'pickle.dumps',
  'cloudpickle.dump',
  'cloudpickle.dumps',
  'dill.dump',
  'dill.dumps',
  'joblib.delayed',
  'ray.put',
  'copyreg.pickle',
]);

/** Methods of objects with a role: what calling them makes. */
export const methodResults: Partial<Record<Role, Record<string, string>>> = {
  'mp-context': {
    Process: 'process',
    Pool: 'multiprocessing.pool.Pool',
    Queue: 'multiprocessing.Queue',
    JoinableQueue: 'multiprocessing.JoinableQueue',
    SimpleQueue: 'multiprocessing.SimpleQueue',
    Lock: 'multiprocessing.Lock',
    RLock: 'multiprocessing.RLock',
    Semaphore: 'multiprocessing.Semaphore',
    BoundedSemaphore: 'multiprocessing.BoundedSemaphore',
    Condition: 'multiprocessing.Condition',
    Event: 'multiprocessing.Event',
    Barrier: 'multiprocessing.Barrier',
    Value: 'multiprocessing.Value',
    Array: 'multiprocessing.Array',
    Manager: 'multiprocessing.managers.SyncManager',
    Pipe: 'pipe',
  },
  manager: {
    Queue: 'multiprocessing.managers.QueueProxy',
    JoinableQueue: 'multiprocessing.managers.QueueProxy',
    Lock: 'multiprocessing.managers.Proxy',
    RLock: 'multiprocessing.managers.Proxy',
    Event: 'multiprocessing.managers.Proxy',
    Condition: 'multiprocessing.managers.Proxy',
    Semaphore: 'multiprocessing.managers.Proxy',
    BoundedSemaphore: 'multiprocessing.managers.Proxy',
    Barrier: 'multiprocessing.managers.Proxy',
    Value: 'multiprocessing.managers.Proxy',
    Array: 'multiprocessing.managers.Proxy',
    dict: 'multiprocessing.managers.DictProxy',
    list: 'multiprocessing.managers.ListProxy',
    Namespace: 'multiprocessing.managers.NamespaceProxy',
  },
  'process-pool': { apply_async: 'data', map_async: 'data' },
  'process-executor': { submit: 'concurrent.futures.Future' },
  'thread-pool': { submit: 'concurrent.futures.Future' },
  'sqlite-connection': { cursor: 'sqlite3.Cursor', execute: 'sqlite3.Cursor' },
  path: { open: 'io.TextIOWrapper' },
  regex: { match: 're.Match', search: 're.Match', fullmatch: 're.Match' },
  'event-loop': { create_future: 'asyncio.Future' },
  'h5py-group': { create_group: 'h5py.Group', require_group: 'h5py.Group', create_dataset: 'h5py.Dataset', require_dataset: 'h5py.Dataset', get: 'h5py.Dataset' },
  'cloud-session': { client: 'botocore.client.BaseClient', resource: 'boto3.resources.base.ServiceResource' },
};

/** Names whose value (not call) is a known object. */
export const objectValues: Record<string, string> = {
  'os.environ': 'os.environ',
  'sys.stdout': 'io.TextIOWrapper',
  'sys.stderr': 'io.TextIOWrapper',
  'sys.stdin': 'io.TextIOWrapper',
};

/** Base classes whose instances are known to fail whatever the subclass adds. */
export const badBases: Record<string, string> = {
  'threading.Thread': 'threading.Thread',
  'threading.Timer': 'threading.Timer',
  'logging.Handler': 'logging.Handler',
  'logging.StreamHandler': 'logging.Handler',
  'logging.FileHandler': 'logging.Handler',
};

/** Base classes that add no state a pickler cares about: subclasses are judged by their own attributes. */
export const neutralBases = new Set([
  'builtins.object',
  'multiprocessing.Process',
  'builtins.Exception',
  'builtins.BaseException',
  'builtins.ValueError',
  'builtins.RuntimeError',
  'abc.ABC',
  'typing.NamedTuple',
  'typing.Generic',
  'typing.Protocol',
  'enum.Enum',
  'enum.IntEnum',
  // PyTorch's dataset bases define no pickling hooks and hold no state of their own.
  'torch.utils.data.Dataset',
  'torch.utils.data.IterableDataset',
  'torch.utils.data.dataset.Dataset',
  'torch.utils.data.dataset.IterableDataset',
  // scikit-learn's BaseEstimator.__getstate__ returns the whole __dict__ (plus a version tag);
  // the mixins add methods only.
  'sklearn.base.BaseEstimator',
  'sklearn.base.TransformerMixin',
  'sklearn.base.ClassifierMixin',
  'sklearn.base.RegressorMixin',
  'sklearn.base.ClusterMixin',
]);

/** Thread primitives a fork child gets a private copy of, and the multiprocessing class that is shared instead. */
export const forkCopied: Record<string, string> = {
  'threading.Lock': 'Lock',
  'threading.RLock': 'RLock',
  'threading.Condition': 'Condition',
  'threading.Semaphore': 'Semaphore',
  'threading.BoundedSemaphore': 'BoundedSemaphore',
  'threading.Event': 'Event',
  'threading.Barrier': 'Barrier',
  'queue.Queue': 'Queue',
  'queue.SimpleQueue': 'SimpleQueue',
  'queue.LifoQueue': '',
  'queue.PriorityQueue': '',
};

/** Libraries whose workers receive values through cloudpickle or dill; the rest use pickle. */
/**
 * Every library a sink is reached through: the qualified names sinks.ts recognises, the objects
 * with a sink role here, and the serializer profiles. A file that reaches none of them through its
 * imports holds no sink (lexical.ts); knowledge.test.ts checks the tables against this list.
 */
export const sinkLibraries: readonly string[] = ['multiprocessing', 'multiprocess', 'concurrent', 'pickle', 'cloudpickle', 'dill', 'joblib', 'loky', 'sklearn', 'torch', 'dask', 'distributed', 'ray'];

export const librarySerializers: Record<string, 'pickle' | 'cloudpickle' | 'dill'> = {
  multiprocessing: 'pickle',
  concurrent: 'pickle',
  pickle: 'pickle',
  multiprocess: 'dill',
  dill: 'dill',
  loky: 'cloudpickle',
  joblib: 'cloudpickle',
  sklearn: 'cloudpickle',
  dask: 'cloudpickle',
  distributed: 'cloudpickle',
  ray: 'cloudpickle',
  cloudpickle: 'cloudpickle',
};

/**
 * `multiprocess` (the dill fork) mirrors multiprocessing's API; joblib vendors loky. Names from
 * them are mapped onto the stdlib names, keeping the library for the serializer.
 */
export function canonicalName(qname: string): { name: string; library: string } {
  const library = qname.split('.')[0];
  if (library === 'multiprocess') return { name: `multiprocessing${qname.slice('multiprocess'.length)}`, library };
  if (qname.startsWith('multiprocessing.context.')) {
    const rest = qname.slice('multiprocessing.context.'.length);
    return { name: `multiprocessing.${rest}`, library };
  }
  return { name: qname, library };
}
