"""Which instances of the standard library's classes pickle, asked of CPython itself.

Developer tool: run it under each supported CPython and commit the output. The product never
runs it (sendcheck never executes code); server/src/python/knowledge reads the committed data.

    python3 tools/probe/python-pickle.py --out data/python-pickle/3.11.7.json

For every public class of every importable standard-library module (and the C types those
classes are made from), it decides a verdict for three ways a value is pickled:

    pickle   plain pickle.dumps (then pickle.loads: a value that dumps but cannot load fails too)
    task     multiprocessing's ForkingPickler, as for Pool tasks, executor submissions, Queue.put
    spawn    ForkingPickler while a child is being spawned (Process args, initargs)

An instance comes from, in order: a recipe below (objects that need arguments, files, a
database...), a type-level fact (a C type with the default reduction that cannot be created or
whose C state the default reduction cannot see), or calling the class with no arguments. A
class none of these decides is listed as undecided, with why (WHY_UNDECIDED: it needs a
network peer, exists only on another platform, is a base only subclasses instantiate...). Verdicts are "ok" or the runtime's own
words ("TypeError: cannot pickle '_hashlib.HASH' object"), memory addresses and temporary
paths normalised so two runs agree.
"""
import argparse
import contextlib
import copyreg
import importlib
import io
import json
import os
import pickle
import pkgutil
import re
import signal
import sys
import tempfile
import warnings

HEAPTYPE = 1 << 9
DISALLOW_INSTANTIATION = 1 << 7

# Importing these runs programs, opens windows or devices, or needs a platform we are not on.
SKIP_MODULES = re.compile(
    r"^(antigravity|this|__hello__|__phello__|idlelib|tkinter|turtle|turtledemo|test|ensurepip|"
    r"lib2to3\.tests|ctypes\.test|distutils\.tests|unittest\.test|pydoc_data|encodings\..*|"
    r"msilib|winreg|winsound|msvcrt|_winapi|nt|curses|ossaudiodev|readline|.*\.__main__)(\..*)?$"
)
# Calling these with no arguments starts processes, threads, connections or shared memory.
NO_BLIND_CALL_MODULES = re.compile(
    r"^(imaplib|nntplib|poplib|smtplib|ftplib|telnetlib|http\.server|socketserver|xmlrpc\.server|"
    r"webbrowser|multiprocessing\.shared_memory|multiprocessing\.pool|multiprocessing\.dummy|"
    r"wsgiref\.simple_server|pdb|bdb|code|cmd|pydoc|subprocess|pty|signal|faulthandler|trace|"
    r"sys|asyncio(\..*)?|concurrent\.futures(\..*)?|logging\.handlers)$"
)
NO_BLIND_CALL = {"multiprocessing.managers.SharedMemoryManager", "multiprocessing.pool.Pool", "multiprocessing.pool.ThreadPool"}

# The reducers multiprocessing's pickler has in a program that uses Pool, Process, queues or
# ProcessPoolExecutor. Importing multiprocessing.managers (which the probe does, walking the
# standard library) registers more: dict views and array.array are then sent as lists. A program
# gets those only when it imports managers itself (Manager(), BaseManager), so verdicts are taken
# with this baseline, not with whatever the walk happened to import.
import multiprocessing.connection  # noqa: E402 - registers Connection, as any Pool or Pipe user gets
import multiprocessing.heap  # noqa: E402
import multiprocessing.pool  # noqa: E402
import multiprocessing.queues  # noqa: E402
import concurrent.futures.process  # noqa: E402
from multiprocessing.reduction import ForkingPickler as _ForkingPickler  # noqa: E402

BASELINE_REDUCERS = dict(_ForkingPickler._extra_reducers)
import multiprocessing.managers  # noqa: E402

MANAGER_REDUCERS = {t for t in _ForkingPickler._extra_reducers if t not in BASELINE_REDUCERS}


@contextlib.contextmanager
def baseline_reducers():
    # Only managers' additions go: reducers registered as objects are made (sharedctypes
    # registers each ctype it creates) are what any program making them gets.
    saved = _ForkingPickler._extra_reducers
    _ForkingPickler._extra_reducers = {t: r for t, r in saved.items() if t not in MANAGER_REDUCERS}
    try:
        yield
    finally:
        _ForkingPickler._extra_reducers = saved


TMP = tempfile.mkdtemp(prefix="sendcheck-probe-")
KEEP = []  # objects that must outlive their recipe (a file's directory, a database)
CLEANUP = []  # processes a recipe started


def normalise(text):
    text = re.sub(r"0x[0-9a-fA-F]+", "0x…", text)
    text = text.replace(TMP, "<tmp>")
    return text[:300]


def words(exc):
    name = type(exc).__name__
    if type(exc).__module__ not in ("builtins",) and name == "PicklingError":
        name = "PicklingError"
    return f"{name}: {normalise(str(exc))}"


class Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise Timeout("timed out")


@contextlib.contextmanager
def bounded(seconds=3):
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def type_key(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


# ---------------------------------------------------------------------------------- recipes
# Each returns an instance in the state a program typically sends it. Keys are labels; the
# table is keyed by the instance's runtime type.


def _file(name, data=b"x\n"):
    p = os.path.join(TMP, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def _sqlite():
    import sqlite3

    con = sqlite3.connect(":memory:")
    con.execute("create table t (a, b)")
    con.execute("insert into t values (1, 'x')")
    KEEP.append(con)
    return con


def _row():
    import sqlite3

    con = _sqlite()
    con.row_factory = sqlite3.Row
    return con.execute("select * from t").fetchone()


def _gen():
    yield 1


async def _coro():
    return 1


async def _agen():
    yield 1


def _coroutine():
    c = _coro()
    KEEP.append(c)
    return c


def _cell():
    x = 1

    def f():
        return x

    return f.__closure__[0]


def _traceback():
    try:
        raise ValueError("x")
    except ValueError as e:
        return e.__traceback__


def _manager():
    import multiprocessing

    # What multiprocessing.Manager() returns: a started manager, shut down before the probe exits.
    m = multiprocessing.get_context("spawn").Manager()
    CLEANUP.append(m.shutdown)
    return m


def _mmap():
    import mmap

    f = open(_file("mmap.bin", b"\0" * 16), "r+b")
    KEEP.append(f)
    return mmap.mmap(f.fileno(), 0)


def _direntry():
    _file("entry.txt")
    it = os.scandir(TMP)
    KEEP.append(it)
    return next(e for e in it if e.name == "entry.txt")


def _scandir():
    it = os.scandir(TMP)
    KEEP.append(it)
    return it


def _csv_writer():
    import csv

    return csv.writer(io.StringIO())


def _csv_reader():
    import csv

    return csv.reader(io.StringIO("a,b\n"))


def _csv_dictwriter():
    import csv

    return csv.DictWriter(io.StringIO(), ["a"])


def _zipfile():
    import zipfile

    z = zipfile.ZipFile(os.path.join(TMP, "z.zip"), "w")
    KEEP.append(z)
    return z


def _tarfile():
    import tarfile

    t = tarfile.open(os.path.join(TMP, "t.tar"), "w")
    KEEP.append(t)
    return t


def _zipfile_read():
    import zipfile

    p = _in_tmp("r.zip")
    if not os.path.exists(p):
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("a.txt", "x")
    z = zipfile.ZipFile(p)
    KEEP.append(z)
    return z


def _tar_member():
    import tarfile

    p = _in_tmp("r.tar")
    if not os.path.exists(p):
        with tarfile.open(p, "w") as t:
            t.add(_file("member.txt"), "member.txt")
    t = tarfile.open(p)
    KEEP.append(t)
    f = t.extractfile("member.txt")
    KEEP.append(f)
    return f


def _socket():
    import socket

    s = socket.socket()
    KEEP.append(s)
    return s


def _ssl_context():
    import ssl

    return ssl.create_default_context()


def _event_loop():
    import asyncio

    loop = asyncio.new_event_loop()
    KEEP.append(loop)
    return loop


def _future():
    import concurrent.futures

    return concurrent.futures.Future()


def _asyncio_future():
    import asyncio

    loop = _event_loop()
    return loop.create_future()


def _popen():
    import subprocess

    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p


def _executor(kind):
    def make():
        import concurrent.futures

        ex = getattr(concurrent.futures, kind)(1)
        KEEP.append(ex)
        return ex

    return make


def _mp(name, *args):
    def make():
        import multiprocessing

        return getattr(multiprocessing.get_context("spawn"), name)(*args)

    return make


def _weak_target():
    class Target:
        pass

    t = Target()
    KEEP.append(t)
    return t


_MANAGER = []


def _manager_value(method, *args):
    """A proxy from one shared spawn Manager (dict(), list(), Value(), Lock()...)."""

    def make():
        if not _MANAGER:
            _MANAGER.append(_manager())
        return getattr(_MANAGER[0], method)(*args)

    return make


def _pool_result(method, *args):
    """A pool's result object once its task is done (a running one holds the pool's lock: the verdict would depend on timing)."""

    def make():
        from multiprocessing.pool import ThreadPool

        pool = ThreadPool(1)
        r = getattr(pool, method)(*args)
        pool.close()
        pool.join()
        KEEP.append(r)
        return r

    return make


def _spawn_pool():
    import multiprocessing

    # Closed and joined at once: a pool refuses pickling whatever its state, and terminating a
    # pool at exit can hang on 3.13.
    pool = multiprocessing.get_context("spawn").Pool(1)
    pool.close()
    pool.join()
    return pool


def _in_tmp(name):
    return os.path.join(TMP, name)


def _hash(name):
    def make():
        import hashlib

        return hashlib.new(name)

    return make


# Local stand-ins for what servers, handlers and transports are made from: loopback sockets,
# socket pairs, temp files and short child processes. Nothing here reaches beyond 127.0.0.1.


def _pair_end():
    """The server end of a loopback TCP connection whose client has already hung up: a request
    handler made on it reads end-of-stream at once and returns, as after a client that disconnected."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname(), timeout=5)
        conn, _ = listener.accept()
    client.close()
    KEEP.append(conn)
    return conn


def _udp_request():
    """A datagram handler's request: an empty packet and a loopback UDP socket, answered to itself."""
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    KEEP.append(s)
    return (b"", s), s.getsockname()


def _handler(cls_path, **kw):
    def make():
        mod, name = cls_path.rsplit(".", 1)
        cls = getattr(importlib.import_module(mod), name)
        return cls(_pair_end(), ("127.0.0.1", 0), None, **kw)

    return make


def _server(cls_path, *args, **kw):
    """A server bound to an ephemeral loopback port (or a socket file in the temp directory), never served."""

    def make():
        import socketserver

        mod, name = cls_path.rsplit(".", 1)
        cls = getattr(importlib.import_module(mod), name)
        family = getattr(cls, "address_family", None)
        addr = _in_tmp(f"{name}.sock") if family == getattr(__import__("socket"), "AF_UNIX", None) else ("127.0.0.1", 0)
        handler = args[0] if args else socketserver.BaseRequestHandler
        s = cls(addr, handler, **kw)
        KEEP.append(s)
        CLEANUP.append(s.server_close)
        return s

    return make


def _loop_run(coro_factory):
    """Runs a coroutine on a fresh event loop kept open (its transports stay alive) and returns its result."""
    loop = _event_loop()
    return loop.run_until_complete(asyncio_wait(coro_factory(loop)))


def asyncio_wait(coro):
    import asyncio

    return asyncio.wait_for(coro, 5)


_STREAMS = []


def _loopback_streams():
    """(reader, writer) of a client connected to a loopback asyncio server, plus the server."""
    if not _STREAMS:
        import asyncio

        async def go(loop):
            server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            return server, reader, writer

        _STREAMS.append(_loop_run(go))
    return _STREAMS[0]


_ASYNC_CHILD = []


def _async_child():
    """An asyncio subprocess that has exited (python -c pass), waited for."""
    if not _ASYNC_CHILD:
        import asyncio

        async def go(loop):
            p = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
            await p.communicate()
            return p

        _ASYNC_CHILD.append(_loop_run(go))
    return _ASYNC_CHILD[0]


def _started_process(method):
    """A multiprocessing Process started with that start method and joined: its _popen is the Popen the method uses."""

    def make():
        import multiprocessing

        p = multiprocessing.get_context(method).Process(target=int)
        p.start()
        p.join(10)
        KEEP.append(p)
        return p._popen

    return make


def _shared_memory():
    from multiprocessing import shared_memory

    shm = shared_memory.SharedMemory(create=True, size=16)
    CLEANUP.append(shm.unlink)
    KEEP.append(shm)
    return shm


def _shareable_list():
    from multiprocessing import shared_memory

    sl = shared_memory.ShareableList([1, "a"])
    CLEANUP.append(sl.shm.unlink)
    KEEP.append(sl)
    return sl


def _shm_manager():
    from multiprocessing import managers
    import multiprocessing

    m = managers.SharedMemoryManager(ctx=multiprocessing.get_context("spawn"))
    m.start()
    CLEANUP.append(m.shutdown)
    return m


def _audio(module, opener):
    """A sound file written by the module itself, then opened for reading."""

    def make():
        mod = importlib.import_module(module)
        p = _in_tmp(f"read.{module}")
        w = getattr(mod, opener)(p, "wb")
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 4)
        w.close()
        r = getattr(mod, opener)(p, "rb")
        KEEP.append(r)
        return r

    return make


def _doctest(kind):
    def make():
        import doctest

        test = doctest.DocTestParser().get_doctest(">>> 1\n1\n", {}, "t", "t.py", 0)
        if kind == "test":
            return test
        if kind == "case":
            return doctest.DocTestCase(test)
        return doctest.DocFileCase(test)

    return make


def _expat(kind):
    def make():
        from xml.dom import expatbuilder, minidom

        if kind == "fragment":
            return expatbuilder.FragmentBuilder(minidom.parseString("<a/>").documentElement)
        if kind == "fragmentns":
            return expatbuilder.FragmentBuilderNS(minidom.parseString("<a/>").documentElement)
        builder = expatbuilder.ExpatBuilder()
        builder._parser = builder.createParser()  # what parseFile/parseString set up before filtering
        return getattr(expatbuilder, kind)(builder)

    return make


def _namespace_reader():
    """The reader of a namespace package (a directory without __init__.py) made in the temp directory."""
    from importlib import readers

    os.makedirs(_in_tmp("probe_ns"), exist_ok=True)
    sys.path.insert(0, TMP)
    try:
        pkg = importlib.import_module("probe_ns")
    finally:
        sys.path.remove(TMP)
    return readers.NamespaceReader(pkg.__path__)


def _zip_path():
    import zipfile

    p = _in_tmp("imp.zip")
    if not os.path.exists(p):
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("probe_zipped.py", "x = 1\n")
    return p


RECIPES = {
    "re.Match": lambda: re.match("a", "a"),
    "re.Pattern": lambda: re.compile("a"),
    "re.Scanner": lambda: re.Scanner([("a", None)]),
    "struct.Struct": lambda: __import__("struct").Struct("<i"),
    "mmap.mmap": _mmap,
    "os.DirEntry": _direntry,
    "os.scandir()": _scandir,
    "os.stat_result": lambda: os.stat(TMP),
    "os.environ": lambda: os.environ,
    "sqlite3.Connection": _sqlite,
    "sqlite3.Cursor": lambda: _sqlite().cursor(),
    "sqlite3.Row": _row,
    "sqlite3 tuple row": lambda: _sqlite().execute("select * from t").fetchone(),
    "hashlib.sha256()": _hash("sha256"),
    "hashlib.md5()": _hash("md5"),
    "hashlib.blake2b()": lambda: __import__("hashlib").blake2b(),
    "hashlib.sha3_256()": lambda: __import__("hashlib").sha3_256(),
    "hmac.HMAC": lambda: __import__("hmac").new(b"k", digestmod="sha256"),
    "zlib.compressobj()": lambda: __import__("zlib").compressobj(),
    "zlib.decompressobj()": lambda: __import__("zlib").decompressobj(),
    "bz2.BZ2Compressor": lambda: __import__("bz2").BZ2Compressor(),
    "lzma.LZMACompressor": lambda: __import__("lzma").LZMACompressor(),
    "csv.writer()": _csv_writer,
    "csv.reader()": _csv_reader,
    "csv.DictWriter": _csv_dictwriter,
    "csv.DictReader": lambda: __import__("csv").DictReader(io.StringIO("a\n1\n")),
    "io.TextIOWrapper(BytesIO)": lambda: io.TextIOWrapper(io.BytesIO()),
    "io.BytesIO": lambda: io.BytesIO(b"x"),
    "io.StringIO": lambda: io.StringIO("x"),
    "open(p)": lambda: KEEP.append(open(_file("r.txt"))) or KEEP[-1],
    "open(p,'rb')": lambda: KEEP.append(open(_file("rb.bin"), "rb")) or KEEP[-1],
    "open(p,'wb')": lambda: KEEP.append(open(os.path.join(TMP, "w.bin"), "wb")) or KEEP[-1],
    "open(p,'r+b')": lambda: KEEP.append(open(_file("rw.bin"), "r+b")) or KEEP[-1],
    "open(p,'rb',buffering=0)": lambda: KEEP.append(open(_file("raw.bin"), "rb", buffering=0)) or KEEP[-1],
    "sys.stderr": lambda: sys.stderr,
    "tempfile.NamedTemporaryFile()": lambda: KEEP.append(tempfile.NamedTemporaryFile(dir=TMP)) or KEEP[-1],
    "tempfile.TemporaryFile()": lambda: KEEP.append(tempfile.TemporaryFile(dir=TMP)) or KEEP[-1],
    "tempfile.SpooledTemporaryFile()": lambda: tempfile.SpooledTemporaryFile(),
    "tempfile.TemporaryDirectory()": lambda: KEEP.append(tempfile.TemporaryDirectory(dir=TMP)) or KEEP[-1],
    "gzip.open()": lambda: KEEP.append(__import__("gzip").open(os.path.join(TMP, "g.gz"), "wb")) or KEEP[-1],
    "zipfile.ZipFile": _zipfile,
    "tarfile.TarFile": _tarfile,
    "types.MappingProxyType": lambda: __import__("types").MappingProxyType({"a": 1}),
    "types.SimpleNamespace": lambda: __import__("types").SimpleNamespace(a=1),
    "types.ModuleType": lambda: json,
    "weakref.ref": lambda: __import__("weakref").ref(_weak_target()),
    "weakref.proxy": lambda: __import__("weakref").proxy(_weak_target()),
    "weakref.WeakValueDictionary": lambda: __import__("weakref").WeakValueDictionary({"a": _weak_target()}),
    "weakref.WeakKeyDictionary": lambda: __import__("weakref").WeakKeyDictionary({_weak_target(): 1}),
    "weakref.WeakSet": lambda: __import__("weakref").WeakSet([_weak_target()]),
    "weakref.finalize": lambda: __import__("weakref").finalize(_weak_target(), print),
    "multiprocessing.managers.SyncManager": _manager,
    "multiprocessing.Queue": _mp("Queue"),
    "multiprocessing.SimpleQueue": _mp("SimpleQueue"),
    "multiprocessing.JoinableQueue": _mp("JoinableQueue"),
    "multiprocessing.Lock": _mp("Lock"),
    "multiprocessing.RLock": _mp("RLock"),
    "multiprocessing.Semaphore": _mp("Semaphore"),
    "multiprocessing.Event": _mp("Event"),
    "multiprocessing.Condition": _mp("Condition"),
    "multiprocessing.Barrier": _mp("Barrier", 2),
    "multiprocessing.Value": _mp("Value", "i"),
    "multiprocessing.Array": _mp("Array", "i", 2),
    "multiprocessing.Pipe": lambda: _mp("Pipe")()[0],
    "multiprocessing.Process": _mp("Process"),
    "generator": lambda: _gen(),
    "generator expression": lambda: (i for i in ()),
    "coroutine": _coroutine,
    "async generator": lambda: _agen(),
    "frame": lambda: sys._getframe(),
    "traceback": _traceback,
    "code": lambda: _gen.__code__,
    "cell": _cell,
    "module-level function": lambda: _gen,
    "local function": lambda: (lambda: 1),
    "bound method": lambda: [].append,
    "builtin function": lambda: len,
    "method-wrapper": lambda: (1).__add__,
    "memoryview": lambda: memoryview(b"ab"),
    "bytes(view)": lambda: bytes(memoryview(b"ab")),
    "bytearray": lambda: bytearray(b"a"),
    "array.array": lambda: __import__("array").array("i", [1]),
    "dict_keys": lambda: {1: 2}.keys(),
    "dict_values": lambda: {1: 2}.values(),
    "dict_items": lambda: {1: 2}.items(),
    "list_iterator": lambda: iter([1]),
    "range": lambda: range(3),
    "property": lambda: property(lambda s: 1),
    "map": lambda: map(str, [1]),
    "zip": lambda: zip([1], [2]),
    "enumerate": lambda: enumerate([1]),
    "itertools.count": lambda: __import__("itertools").count(),
    "itertools.chain": lambda: __import__("itertools").chain([1]),
    "itertools.groupby": lambda: __import__("itertools").groupby([1]),
    "itertools.tee": lambda: __import__("itertools").tee([1])[0],
    "functools.partial": lambda: __import__("functools").partial(int, "1"),
    "functools.lru_cache()": lambda: __import__("functools").lru_cache()(len),
    "operator.itemgetter": lambda: __import__("operator").itemgetter(1),
    "operator.methodcaller": lambda: __import__("operator").methodcaller("a"),
    "collections.deque": lambda: __import__("collections").deque([1]),
    "collections.OrderedDict": lambda: __import__("collections").OrderedDict(a=1),
    "collections.defaultdict(list)": lambda: __import__("collections").defaultdict(list),
    "collections.defaultdict(lambda)": lambda: __import__("collections").defaultdict(lambda: 0),
    "collections.ChainMap": lambda: __import__("collections").ChainMap({}),
    "collections.Counter": lambda: __import__("collections").Counter("aa"),
    "local namedtuple": lambda: __import__("collections").namedtuple("Local", "a")(1),
    "make_dataclass": lambda: __import__("dataclasses").make_dataclass("Made", ["a"])(1),
    "threading.Lock": lambda: __import__("threading").Lock(),
    "threading.RLock": lambda: __import__("threading").RLock(),
    "threading.Condition": lambda: __import__("threading").Condition(),
    "threading.Semaphore": lambda: __import__("threading").Semaphore(),
    "threading.Event": lambda: __import__("threading").Event(),
    "threading.Barrier": lambda: __import__("threading").Barrier(2),
    "threading.Thread": lambda: __import__("threading").Thread(),
    "threading.Timer": lambda: __import__("threading").Timer(1, print),
    "threading.local": lambda: __import__("threading").local(),
    "queue.Queue": lambda: __import__("queue").Queue(),
    "queue.SimpleQueue": lambda: __import__("queue").SimpleQueue(),
    "contextvars.ContextVar": lambda: __import__("contextvars").ContextVar("v"),
    "contextvars.Context": lambda: __import__("contextvars").copy_context(),
    "contextvars.Token": lambda: __import__("contextvars").ContextVar("t").set(1),
    "socket.socket": _socket,
    "select.epoll": lambda: __import__("select").epoll(),
    "select.poll": lambda: __import__("select").poll(),
    "selectors.DefaultSelector": lambda: __import__("selectors").DefaultSelector(),
    "ssl.SSLContext": _ssl_context,
    "asyncio event loop": _event_loop,
    "asyncio.Future": _asyncio_future,
    "asyncio.Queue": lambda: __import__("asyncio").Queue(),
    "asyncio.Lock": lambda: __import__("asyncio").Lock(),
    "concurrent.futures.Future": _future,
    "concurrent.futures.ProcessPoolExecutor": _executor("ProcessPoolExecutor"),
    "concurrent.futures.ThreadPoolExecutor": _executor("ThreadPoolExecutor"),
    "subprocess.Popen": _popen,
    "logging.getLogger()": lambda: __import__("logging").getLogger("sendcheck.probe"),
    "logging.Handler": lambda: __import__("logging").Handler(),
    "logging.StreamHandler": lambda: __import__("logging").StreamHandler(),
    "logging.FileHandler": lambda: __import__("logging").FileHandler(os.path.join(TMP, "log.txt")),
    "logging.handlers.RotatingFileHandler": lambda: __import__("logging.handlers").handlers.RotatingFileHandler(os.path.join(TMP, "rlog.txt")),
    "logging.handlers.QueueHandler": lambda: __import__("logging.handlers").handlers.QueueHandler(__import__("queue").Queue()),
    "logging.LogRecord": lambda: __import__("logging").makeLogRecord({"msg": "x"}),
    "logging.Formatter": lambda: __import__("logging").Formatter(),
    "decimal.Context": lambda: __import__("decimal").getcontext(),
    "random.Random": lambda: __import__("random").Random(1),
    "datetime.datetime": lambda: __import__("datetime").datetime(2020, 1, 1),
    "datetime.timezone": lambda: __import__("datetime").timezone.utc,
    "zoneinfo.ZoneInfo": lambda: __import__("zoneinfo").ZoneInfo("UTC"),
    "pathlib.Path": lambda: __import__("pathlib").Path(TMP),
    "uuid.UUID": lambda: __import__("uuid").UUID(int=1),
    "ipaddress.IPv4Address": lambda: __import__("ipaddress").ip_address("127.0.0.1"),
    "fractions.Fraction": lambda: __import__("fractions").Fraction(1, 3),
    "xml.etree.ElementTree.Element": lambda: __import__("xml.etree.ElementTree").etree.ElementTree.Element("a"),
    "xml.dom.minidom.Document": lambda: __import__("xml.dom.minidom").dom.minidom.parseString("<a/>"),
    "email.message.EmailMessage": lambda: __import__("email.message").message.EmailMessage(),
    "argparse.Namespace": lambda: __import__("argparse").Namespace(a=1),
    "argparse.ArgumentParser": lambda: __import__("argparse").ArgumentParser(),
    "string.Template": lambda: __import__("string").Template("$a"),
    "ctypes.c_int": lambda: __import__("ctypes").c_int(1),
    "ctypes.pointer": lambda: __import__("ctypes").pointer(__import__("ctypes").c_int(1)),
    "ctypes.CDLL": lambda: __import__("ctypes").CDLL(None),
    "http.client.HTTPConnection": lambda: __import__("http.client").client.HTTPConnection("localhost"),
    "urllib.request.Request": lambda: __import__("urllib.request").request.Request("http://localhost/"),
    "http.cookiejar.CookieJar": lambda: __import__("http.cookiejar").cookiejar.CookieJar(),
    "smtplib.SMTP": lambda: __import__("smtplib").SMTP(),
    "ftplib.FTP": lambda: __import__("ftplib").FTP(),
    "shelve.Shelf": lambda: __import__("shelve").Shelf({}),
    "dbm.open()": lambda: KEEP.append(__import__("dbm").open(os.path.join(TMP, "db"), "c")) or KEEP[-1],
    "sched.scheduler": lambda: __import__("sched").scheduler(),
    "pdb.Pdb": lambda: __import__("pdb").Pdb(),
    "cmd.Cmd": lambda: __import__("cmd").Cmd(),
    "code.InteractiveConsole": lambda: __import__("code").InteractiveConsole(),
    "array iterator": lambda: iter(__import__("array").array("i")),
    "enum member": lambda: __import__("signal").SIGINT,
    "NotImplemented": lambda: NotImplemented,
    "Ellipsis": lambda: ...,
    "type": lambda: int,
    "None": lambda: None,
    "super": lambda: super(int, 1),
    "slice": lambda: slice(1),
    "complex": lambda: 1j,
    "frozenset": lambda: frozenset([1]),
    "staticmethod": lambda: staticmethod(len),
    "classmethod": lambda: classmethod(len),
    "builtins.object": lambda: object(),
    "datetime.date": lambda: __import__("datetime").date(2020, 1, 1),
    "itertools.islice": lambda: __import__("itertools").islice([1], 1),
    "itertools.accumulate": lambda: __import__("itertools").accumulate([1]),
    "itertools.combinations": lambda: __import__("itertools").combinations([1], 1),
    "itertools.combinations_with_replacement": lambda: __import__("itertools").combinations_with_replacement([1], 1),
    "itertools.compress": lambda: __import__("itertools").compress([1], [1]),
    "itertools.cycle": lambda: __import__("itertools").cycle([1]),
    "itertools.dropwhile": lambda: __import__("itertools").dropwhile(bool, [1]),
    "itertools.filterfalse": lambda: __import__("itertools").filterfalse(bool, [1]),
    "itertools.permutations": lambda: __import__("itertools").permutations([1]),
    "itertools.repeat": lambda: __import__("itertools").repeat(1),
    "itertools.starmap": lambda: __import__("itertools").starmap(pow, [(1, 1)]),
    "itertools.takewhile": lambda: __import__("itertools").takewhile(bool, [1]),
    "filter": lambda: filter(None, [1]),
    "reversed": lambda: reversed([1]),
    "method of an instance": lambda: json.JSONEncoder().encode,
    "ExceptionGroup": lambda: ExceptionGroup("x", [ValueError("x")]),
    "UnicodeDecodeError": lambda: UnicodeDecodeError("utf-8", b"x", 0, 1, "bad"),
    "UnicodeEncodeError": lambda: UnicodeEncodeError("utf-8", "x", 0, 1, "bad"),
    "UnicodeTranslateError": lambda: UnicodeTranslateError("x", 0, 1, "bad"),
    "subprocess.CalledProcessError": lambda: __import__("subprocess").CalledProcessError(1, "x"),
    "subprocess.TimeoutExpired": lambda: __import__("subprocess").TimeoutExpired("x", 1),
    "subprocess.CompletedProcess": lambda: __import__("subprocess").CompletedProcess(["x"], 0),
    "unittest.mock.Mock": lambda: __import__("unittest.mock").mock.Mock(),
    "unittest.mock.MagicMock": lambda: __import__("unittest.mock").mock.MagicMock(),
    "unittest.mock.NonCallableMock": lambda: __import__("unittest.mock").mock.NonCallableMock(),
    "unittest.mock.NonCallableMagicMock": lambda: __import__("unittest.mock").mock.NonCallableMagicMock(),
    "unittest.mock.AsyncMock": lambda: __import__("unittest.mock").mock.AsyncMock(),
    "unittest.mock.ThreadingMock": lambda: __import__("unittest.mock").mock.ThreadingMock(),
    "unittest.mock.PropertyMock": lambda: __import__("unittest.mock").mock.PropertyMock(),
    "logging.LoggerAdapter": lambda: __import__("logging").LoggerAdapter(__import__("logging").getLogger("sendcheck.probe"), {}),
    "logging.root": lambda: __import__("logging").root,
    "logging.handlers.TimedRotatingFileHandler": lambda: __import__("logging.handlers").handlers.TimedRotatingFileHandler(_in_tmp("tlog.txt")),
    "logging.handlers.WatchedFileHandler": lambda: __import__("logging.handlers").handlers.WatchedFileHandler(_in_tmp("wlog.txt")),
    "logging.handlers.MemoryHandler": lambda: __import__("logging.handlers").handlers.MemoryHandler(10),
    "logging.handlers.BufferingHandler": lambda: __import__("logging.handlers").handlers.BufferingHandler(10),
    "logging.handlers.SocketHandler": lambda: __import__("logging.handlers").handlers.SocketHandler("localhost", 9),
    "logging.handlers.DatagramHandler": lambda: __import__("logging.handlers").handlers.DatagramHandler("localhost", 9),
    "logging.handlers.QueueListener": lambda: __import__("logging.handlers").handlers.QueueListener(__import__("queue").Queue()),
    "logging.handlers.HTTPHandler": lambda: __import__("logging.handlers").handlers.HTTPHandler("localhost", "/"),
    "logging.handlers.SMTPHandler": lambda: __import__("logging.handlers").handlers.SMTPHandler("localhost", "a@b", ["c@d"], "x"),
    "asyncio.Event": lambda: __import__("asyncio").Event(),
    "asyncio.Semaphore": lambda: __import__("asyncio").Semaphore(),
    "asyncio.BoundedSemaphore": lambda: __import__("asyncio").BoundedSemaphore(),
    "asyncio.Condition": lambda: __import__("asyncio").Condition(),
    "asyncio.Barrier": lambda: __import__("asyncio").Barrier(2),
    "asyncio.LifoQueue": lambda: __import__("asyncio").LifoQueue(),
    "asyncio.PriorityQueue": lambda: __import__("asyncio").PriorityQueue(),
    "asyncio.StreamReader": lambda: __import__("asyncio").StreamReader(),
    "asyncio.TaskGroup": lambda: __import__("asyncio").TaskGroup(),
    "asyncio.Runner": lambda: __import__("asyncio").Runner(),
    "asyncio.timeout()": lambda: __import__("asyncio.timeouts").timeouts.Timeout(None),
    "asyncio.Handle": lambda: _event_loop().call_soon(print),
    "asyncio.TimerHandle": lambda: _event_loop().call_later(1000, print),
    "asyncio.IncompleteReadError": lambda: __import__("asyncio").IncompleteReadError(b"x", 2),
    "asyncio.LimitOverrunError": lambda: __import__("asyncio").LimitOverrunError("x", 1),
    "contextlib.closing": lambda: __import__("contextlib").closing(io.BytesIO()),
    "contextlib.redirect_stdout": lambda: __import__("contextlib").redirect_stdout(io.StringIO()),
    "contextlib.redirect_stderr": lambda: __import__("contextlib").redirect_stderr(io.StringIO()),
    "contextlib.chdir": lambda: __import__("contextlib").chdir(TMP),
    "contextlib.aclosing": lambda: __import__("contextlib").aclosing(_agen()),
    "functools.cached_property": lambda: __import__("functools").cached_property(len),
    "functools.partialmethod": lambda: __import__("functools").partialmethod(len),
    "functools.singledispatchmethod": lambda: __import__("functools").singledispatchmethod(len),
    "operator.attrgetter": lambda: __import__("operator").attrgetter("a"),
    "dataclasses.field()": lambda: __import__("dataclasses").field(),
    "dataclasses.InitVar": lambda: __import__("dataclasses").InitVar(int),
    "decimal.DecimalTuple": lambda: __import__("decimal").Decimal(1).as_tuple(),
    "difflib.Match": lambda: __import__("difflib").SequenceMatcher(None, "a", "a").find_longest_match(0, 1, 0, 1),
    "dis.Bytecode": lambda: __import__("dis").Bytecode(_gen),
    "dis.Instruction": lambda: next(iter(__import__("dis").Bytecode(_gen))),
    "inspect.Parameter": lambda: __import__("inspect").Parameter("x", __import__("inspect").Parameter.POSITIONAL_ONLY),
    "inspect.BoundArguments": lambda: __import__("inspect").signature(_gen).bind(),
    "inspect.FrameInfo": lambda: __import__("inspect").stack()[0],
    "inspect.Traceback": lambda: __import__("inspect").getframeinfo(sys._getframe()),
    "inspect.FullArgSpec": lambda: __import__("inspect").getfullargspec(_gen),
    "inspect.ClosureVars": lambda: __import__("inspect").getclosurevars(_gen),
    "inspect.Attribute": lambda: __import__("inspect").classify_class_attrs(int)[0],
    "inspect.Arguments": lambda: __import__("inspect").getargs(_gen.__code__),
    "ipaddress.IPv6Address": lambda: __import__("ipaddress").ip_address("::1"),
    "ipaddress.IPv6Network": lambda: __import__("ipaddress").ip_network("::1/128"),
    "ipaddress.IPv4Interface": lambda: __import__("ipaddress").ip_interface("10.0.0.1/8"),
    "ipaddress.IPv6Interface": lambda: __import__("ipaddress").ip_interface("::1/64"),
    "json.JSONDecodeError": lambda: json.JSONDecodeError("x", "x", 0),
    "re.error": lambda: re.error("x"),
    "time.struct_time": lambda: __import__("time").gmtime(0),
    "os.uname()": lambda: os.uname(),
    "os.times()": lambda: os.times(),
    "os.statvfs()": lambda: os.statvfs(TMP),
    "os.sched_param": lambda: os.sched_param(0),
    "resource.getrusage()": lambda: __import__("resource").getrusage(0),
    "pwd.getpwuid()": lambda: __import__("pwd").getpwuid(os.getuid()),
    "grp.getgrgid()": lambda: __import__("grp").getgrgid(os.getgid()),
    "platform.uname()": lambda: __import__("platform").uname(),
    "traceback.TracebackException": lambda: __import__("traceback").TracebackException.from_exception(ValueError("x")),
    "traceback.FrameSummary": lambda: __import__("traceback").FrameSummary("f.py", 1, "f"),
    "tokenize.TokenInfo": lambda: next(__import__("tokenize").generate_tokens(io.StringIO("x").readline)),
    "types.GenericAlias": lambda: list[int],
    "types.UnionType": lambda: int | str,
    "typing.TypeVar": lambda: __import__("typing").TypeVar("T"),
    "typing.ParamSpec": lambda: __import__("typing").ParamSpec("P"),
    "typing.TypeVarTuple": lambda: __import__("typing").TypeVarTuple("Ts"),
    "typing.NewType": lambda: __import__("typing").NewType("N", int),
    "typing.ForwardRef": lambda: __import__("typing").ForwardRef("x"),
    "warnings.WarningMessage": lambda: __import__("warnings").WarningMessage("x", UserWarning, "f.py", 1),
    "urllib.error.URLError": lambda: __import__("urllib.error").error.URLError("x"),
    "urllib.error.HTTPError": lambda: __import__("urllib.error").error.HTTPError("http://localhost/", 404, "x", {}, None),
    "urllib.error.ContentTooShortError": lambda: __import__("urllib.error").error.ContentTooShortError("x", b""),
    "mailbox.mbox": lambda: __import__("mailbox").mbox(_in_tmp("mbox")),
    "mailbox.Maildir": lambda: __import__("mailbox").Maildir(_in_tmp("maildir")),
    "mailbox.MH": lambda: __import__("mailbox").MH(_in_tmp("mh")),
    "mailbox.MMDF": lambda: __import__("mailbox").MMDF(_in_tmp("mmdf")),
    "mailbox.Babyl": lambda: __import__("mailbox").Babyl(_in_tmp("babyl")),
    "shelve.open()": lambda: KEEP.append(__import__("shelve").open(_in_tmp("shelf"))) or KEEP[-1],
    "bz2.BZ2File": lambda: KEEP.append(__import__("bz2").BZ2File(_in_tmp("f.bz2"), "w")) or KEEP[-1],
    "lzma.LZMAFile": lambda: KEEP.append(__import__("lzma").LZMAFile(_in_tmp("f.xz"), "w")) or KEEP[-1],
    "wave.open(p,'wb')": lambda: KEEP.append(__import__("wave").open(_in_tmp("f.wav"), "wb")) or KEEP[-1],
    "codecs.lookup()": lambda: __import__("codecs").lookup("utf-8"),
    "zipfile.Path": lambda: __import__("zipfile").Path(_zipfile()),
    "zipfile.ZipFile.open()": lambda: KEEP.append(_zipfile_read().open("a.txt")) or KEEP[-1],
    "tarfile.TarFile.extractfile()": _tar_member,
    "multiprocessing Manager().dict()": _manager_value("dict"),
    "multiprocessing Manager().list()": _manager_value("list"),
    "multiprocessing Manager().Value()": _manager_value("Value", "i", 1),
    "multiprocessing Manager().Namespace()": _manager_value("Namespace"),
    "multiprocessing Manager().Lock()": _manager_value("Lock"),
    "multiprocessing Manager().Event()": _manager_value("Event"),
    "multiprocessing Manager().Condition()": _manager_value("Condition"),
    "multiprocessing Manager().Barrier()": _manager_value("Barrier", 2),
    "multiprocessing Manager().Array()": _manager_value("Array", "i", [1]),
    "multiprocessing Manager().Pool()": None,  # starts a pool inside the manager
    "multiprocessing.Pool": _spawn_pool,
    "ThreadPool.apply_async()": _pool_result("apply_async", abs, (1,)),
    "ThreadPool.map_async()": _pool_result("map_async", abs, [1]),
    "ThreadPool.imap()": _pool_result("imap", abs, [1]),
    "ThreadPool.imap_unordered()": _pool_result("imap_unordered", abs, [1]),
    "ssl.SSLObject": lambda: _ssl_context().wrap_bio(__import__("ssl").MemoryBIO(), __import__("ssl").MemoryBIO()),
    "ssl.SSLSocket": lambda: KEEP.append(_ssl_context().wrap_socket(_socket(), server_hostname="localhost", do_handshake_on_connect=False)) or KEEP[-1],
    "http.client.HTTPSConnection": lambda: __import__("http.client").client.HTTPSConnection("localhost"),
    "smtplib.SMTP_SSL": lambda: __import__("smtplib").SMTP_SSL(),
    "smtplib.LMTP": lambda: __import__("smtplib").LMTP(),
    "xmlrpc.client.ServerProxy": lambda: __import__("xmlrpc.client").client.ServerProxy("http://localhost/"),
    "xmlrpc.client.Fault": lambda: __import__("xmlrpc.client").client.Fault(1, "x"),
    "xmlrpc.client.ProtocolError": lambda: __import__("xmlrpc.client").client.ProtocolError("localhost", 500, "x", {}),
    "socket.SocketIO": lambda: __import__("socket").SocketIO(_socket(), "r"),
    "selectors.SelectorKey": lambda: __import__("selectors").SelectorKey(None, 0, 1, None),
    "http.cookiejar.Cookie": lambda: __import__("http.cookiejar").cookiejar.Cookie(0, "a", "b", None, False, "localhost", False, False, "/", False, False, None, False, None, None, {}),
    "sched.Event": lambda: (lambda s: s.enter(1, 1, print))(__import__("sched").scheduler()),
    "tracemalloc.Filter": lambda: __import__("tracemalloc").Filter(True, "x"),
    "tracemalloc.DomainFilter": lambda: __import__("tracemalloc").DomainFilter(True, 0),
    "csv.Dialect": lambda: __import__("csv").excel(),
    "enum.member": lambda: __import__("enum").member(1),
    "enum.nonmember": lambda: __import__("enum").nonmember(1),
    "calendar.different_locale": lambda: __import__("calendar").different_locale("C"),
    "importlib.metadata.EntryPoint": lambda: __import__("importlib.metadata").metadata.EntryPoint("a", "b:c", "g"),
    "importlib.util.spec_from_loader()": lambda: __import__("importlib.util").util.spec_from_loader("x", None),
    "xml.dom.minidom.Attr": lambda: __import__("xml.dom.minidom").dom.minidom.parseString("<a b='1'/>").documentElement.getAttributeNode("b"),
    "xml.dom.minidom.Comment": lambda: __import__("xml.dom.minidom").dom.minidom.parseString("<a/>").createComment("x"),
    "xml.dom.minidom.NamedNodeMap": lambda: __import__("xml.dom.minidom").dom.minidom.parseString("<a b='1'/>").documentElement.attributes,
    "xml.dom.minidom.ProcessingInstruction": lambda: __import__("xml.dom.minidom").dom.minidom.parseString("<a/>").createProcessingInstruction("x", "y"),
    "xml.etree.ElementTree.QName": lambda: __import__("xml.etree.ElementTree").etree.ElementTree.QName("x"),
    "xml.sax.xmlreader.AttributesImpl": lambda: __import__("xml.sax.xmlreader").sax.xmlreader.AttributesImpl({}),
    "xml.sax.xmlreader.AttributesNSImpl": lambda: __import__("xml.sax.xmlreader").sax.xmlreader.AttributesNSImpl({}, {}),
    "plistlib.UID": lambda: __import__("plistlib").UID(1),
    "netrc.netrc": lambda: __import__("netrc").netrc(_file("netrc", b"machine a login b password c\n")),
    "symtable.symtable()": lambda: __import__("symtable").symtable("x = 1", "f.py", "exec"),
    "symtable Symbol": lambda: __import__("symtable").symtable("x = 1", "f.py", "exec").lookup("x"),
    "pkgutil.ModuleInfo": lambda: next(__import__("pkgutil").iter_modules()),
    "pstats.Stats": None,
    # Classes of the standard library a no-argument call cannot make (issue 16), each made locally.
    "abc.ABCMeta": lambda: __import__("numbers").Number,
    "enum.EnumType": lambda: __import__("signal").Signals,
    "aifc.Aifc_read": _audio("aifc", "open"),
    "sunau.Au_read": _audio("sunau", "open"),
    "wave.Wave_read": _audio("wave", "open"),
    "argparse.ArgumentError": lambda: __import__("argparse").ArgumentError(None, "x"),
    "asyncio.Protocol": lambda: __import__("asyncio").Protocol(),
    "asyncio.BaseProtocol": lambda: __import__("asyncio").BaseProtocol(),
    "asyncio.BufferedProtocol": lambda: __import__("asyncio").BufferedProtocol(),
    "asyncio.DatagramProtocol": lambda: __import__("asyncio").DatagramProtocol(),
    "asyncio.SubprocessProtocol": lambda: __import__("asyncio").SubprocessProtocol(),
    "asyncio.BaseTransport": lambda: __import__("asyncio").BaseTransport(),
    "asyncio.ReadTransport": lambda: __import__("asyncio").ReadTransport(),
    "asyncio.WriteTransport": lambda: __import__("asyncio").WriteTransport(),
    "asyncio.Transport": lambda: __import__("asyncio").Transport(),
    "asyncio.DatagramTransport": lambda: __import__("asyncio").DatagramTransport(),
    "asyncio.SubprocessTransport": lambda: __import__("asyncio").SubprocessTransport(),
    "asyncio.AbstractEventLoop": lambda: __import__("asyncio").AbstractEventLoop(),
    "asyncio.AbstractServer": lambda: __import__("asyncio").AbstractServer(),
    "asyncio.events.BaseDefaultEventLoopPolicy": lambda: __import__("asyncio.events").events.BaseDefaultEventLoopPolicy(),
    "asyncio.base_events.BaseEventLoop": lambda: KEEP.append(__import__("asyncio.base_events").base_events.BaseEventLoop()) or KEEP[-1],
    "asyncio.selector_events.BaseSelectorEventLoop": lambda: KEEP.append(__import__("asyncio.selector_events").selector_events.BaseSelectorEventLoop()) or KEEP[-1],
    "asyncio.sslproto.SSLProtocol": lambda: __import__("asyncio.sslproto").sslproto.SSLProtocol(_event_loop(), __import__("asyncio").Protocol(), _ssl_context(), None),
    "asyncio.sslproto.SSLProtocolState": lambda: list(__import__("asyncio.sslproto").sslproto.SSLProtocolState)[0],
    "asyncio.sslproto.AppProtocolState": lambda: list(__import__("asyncio.sslproto").sslproto.AppProtocolState)[0],
    "asyncio.streams.FlowControlMixin": lambda: __import__("asyncio.streams").streams.FlowControlMixin(loop=_event_loop()),
    "asyncio.StreamReaderProtocol": lambda: __import__("asyncio").StreamReaderProtocol(__import__("asyncio").StreamReader(loop=_event_loop())),
    "asyncio.StreamWriter (loopback)": lambda: _loopback_streams()[2],
    "asyncio.Server (loopback)": lambda: _loopback_streams()[0],
    "asyncio TransportSocket": lambda: _loopback_streams()[2].get_extra_info("socket"),
    "asyncio.trsock.TransportSocket": lambda: __import__("asyncio.trsock").trsock.TransportSocket(_socket()),
    "asyncio.subprocess.Process": _async_child,
    "asyncio SubprocessStreamProtocol": lambda: _async_child()._protocol,
    "asyncio subprocess transport": lambda: _async_child()._transport,
    "asyncio ReadSubprocessPipeProto": lambda: _async_child()._transport._pipes[1],
    "asyncio WriteSubprocessPipeProto": lambda: _async_child()._transport._pipes[0],
    "asyncio.SafeChildWatcher": lambda: __import__("asyncio").SafeChildWatcher(),
    "asyncio.FastChildWatcher": lambda: __import__("asyncio").FastChildWatcher(),
    "asyncio.MultiLoopChildWatcher": lambda: __import__("asyncio").MultiLoopChildWatcher(),
    "asyncio.ThreadedChildWatcher": lambda: __import__("asyncio").ThreadedChildWatcher(),
    "asyncio.PidfdChildWatcher": lambda: __import__("asyncio").PidfdChildWatcher(),
    "asyncio.unix_events.BaseChildWatcher": lambda: __import__("asyncio.unix_events").unix_events.BaseChildWatcher(),
    "asyncio.AbstractChildWatcher": lambda: __import__("asyncio").AbstractChildWatcher(),
    "bdb.Bdb": lambda: __import__("bdb").Bdb(),
    "bdb.Breakpoint": lambda: __import__("bdb").Breakpoint(_in_tmp("bp.py"), 1),
    "BaseExceptionGroup": lambda: BaseExceptionGroup("x", [KeyboardInterrupt()]),
    "chunk.Chunk": lambda: __import__("chunk").Chunk(io.BytesIO(b"FORM\0\0\0\4abcd")),
    "code.InteractiveInterpreter": lambda: __import__("code").InteractiveInterpreter(),
    # What codecs.open() and codecs.EncodedFile() return, over a real file: the wrapped stream decides.
    "codecs.open()": lambda: KEEP.append(__import__("codecs").open(_file("codecs.txt"), "r", encoding="utf-8")) or KEEP[-1],
    "codecs.EncodedFile()": lambda: KEEP.append(__import__("codecs").EncodedFile(open(_file("recoded.txt"), "rb"), "utf-8", "latin-1")) or KEEP[-1],
    "configparser.MissingSectionHeaderError": lambda: __import__("configparser").MissingSectionHeaderError("f.ini", 1, "x"),
    "configparser.MultilineContinuationError": lambda: __import__("configparser").MultilineContinuationError("f.ini", 1, "x"),
    "configparser.SectionProxy": lambda: __import__("configparser").ConfigParser()["DEFAULT"],
    "doctest.DocTest": _doctest("test"),
    "doctest.DocTestCase": _doctest("case"),
    "doctest.DocFileCase": _doctest("file"),
    "doctest.SkipDocTestCase": lambda: __import__("doctest").SkipDocTestCase(json),
    "email.mime.message.MIMEMessage": lambda: __import__("email.mime.message").mime.message.MIMEMessage(__import__("email.message").message.Message()),
    "ftplib.FTP_TLS": lambda: __import__("ftplib").FTP_TLS(),
    "http.client.HTTPResponse": lambda: __import__("http.client").client.HTTPResponse(_pair_end()),
    "http.server.BaseHTTPRequestHandler": _handler("http.server.BaseHTTPRequestHandler"),
    "http.server.SimpleHTTPRequestHandler": _handler("http.server.SimpleHTTPRequestHandler", directory=TMP),
    "http.server.CGIHTTPRequestHandler": _handler("http.server.CGIHTTPRequestHandler", directory=TMP),
    "http.server.HTTPServer": _server("http.server.HTTPServer"),
    "http.server.ThreadingHTTPServer": _server("http.server.ThreadingHTTPServer"),
    "socketserver.BaseServer": lambda: __import__("socketserver").BaseServer(("127.0.0.1", 0), __import__("socketserver").BaseRequestHandler),
    "socketserver.TCPServer": _server("socketserver.TCPServer"),
    "socketserver.UDPServer": _server("socketserver.UDPServer"),
    "socketserver.ThreadingTCPServer": _server("socketserver.ThreadingTCPServer"),
    "socketserver.ThreadingUDPServer": _server("socketserver.ThreadingUDPServer"),
    "socketserver.ForkingTCPServer": _server("socketserver.ForkingTCPServer"),
    "socketserver.ForkingUDPServer": _server("socketserver.ForkingUDPServer"),
    "socketserver.UnixStreamServer": _server("socketserver.UnixStreamServer"),
    "socketserver.UnixDatagramServer": _server("socketserver.UnixDatagramServer"),
    "socketserver.ThreadingUnixStreamServer": _server("socketserver.ThreadingUnixStreamServer"),
    "socketserver.ThreadingUnixDatagramServer": _server("socketserver.ThreadingUnixDatagramServer"),
    "socketserver.ForkingUnixStreamServer": _server("socketserver.ForkingUnixStreamServer"),
    "socketserver.ForkingUnixDatagramServer": _server("socketserver.ForkingUnixDatagramServer"),
    "socketserver.ThreadingMixIn": lambda: __import__("socketserver").ThreadingMixIn(),
    "socketserver.ForkingMixIn": lambda: __import__("socketserver").ForkingMixIn(),
    "socketserver.BaseRequestHandler": _handler("socketserver.BaseRequestHandler"),
    "socketserver.StreamRequestHandler": _handler("socketserver.StreamRequestHandler"),
    "socketserver.DatagramRequestHandler": lambda: __import__("socketserver").DatagramRequestHandler(*_udp_request(), None),
    "wsgiref.simple_server.WSGIServer": _server("wsgiref.simple_server.WSGIServer", __import__("wsgiref.simple_server").simple_server.WSGIRequestHandler),
    "wsgiref.simple_server.WSGIRequestHandler": _handler("wsgiref.simple_server.WSGIRequestHandler"),
    "wsgiref.simple_server.ServerHandler": lambda: __import__("wsgiref.simple_server").simple_server.ServerHandler(io.BytesIO(), io.BytesIO(), io.StringIO(), {}),
    "wsgiref.handlers.CGIHandler": lambda: __import__("wsgiref.handlers").handlers.CGIHandler(),
    "wsgiref.handlers.IISCGIHandler": lambda: __import__("wsgiref.handlers").handlers.IISCGIHandler(),
    "xmlrpc.server.SimpleXMLRPCServer": lambda: (lambda s: KEEP.append(s) or CLEANUP.append(s.server_close) or s)(__import__("xmlrpc.server").server.SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False)),
    "xmlrpc.server.DocXMLRPCServer": lambda: (lambda s: KEEP.append(s) or CLEANUP.append(s.server_close) or s)(__import__("xmlrpc.server").server.DocXMLRPCServer(("127.0.0.1", 0), logRequests=False)),
    "xmlrpc.server.MultiPathXMLRPCServer": lambda: (lambda s: KEEP.append(s) or CLEANUP.append(s.server_close) or s)(__import__("xmlrpc.server").server.MultiPathXMLRPCServer(("127.0.0.1", 0), logRequests=False)),
    "xmlrpc.server.SimpleXMLRPCDispatcher": lambda: __import__("xmlrpc.server").server.SimpleXMLRPCDispatcher(),
    "xmlrpc.server.CGIXMLRPCRequestHandler": lambda: __import__("xmlrpc.server").server.CGIXMLRPCRequestHandler(),
    "xmlrpc.server.DocCGIXMLRPCRequestHandler": lambda: __import__("xmlrpc.server").server.DocCGIXMLRPCRequestHandler(),
    "xmlrpc.server.ServerHTMLDoc": lambda: __import__("xmlrpc.server").server.ServerHTMLDoc(),
    "xmlrpc.server.XMLRPCDocGenerator": lambda: __import__("xmlrpc.server").server.XMLRPCDocGenerator(),
    "xmlrpc.server.SimpleXMLRPCRequestHandler": _handler("xmlrpc.server.SimpleXMLRPCRequestHandler"),
    "xmlrpc.server.DocXMLRPCRequestHandler": _handler("xmlrpc.server.DocXMLRPCRequestHandler"),
    "xmlrpc.client.ExpatParser": lambda: __import__("xmlrpc.client").client.ExpatParser(__import__("xmlrpc.client").client.Unmarshaller()),
    "smtpd.SMTPServer": lambda: (lambda s: KEEP.append(s) or CLEANUP.append(s.close) or s)(__import__("smtpd").SMTPServer(("127.0.0.1", 0), None)),
    "smtpd.DebuggingServer": lambda: (lambda s: KEEP.append(s) or CLEANUP.append(s.close) or s)(__import__("smtpd").DebuggingServer(("127.0.0.1", 0), None)),
    "smtpd.PureProxy": lambda: (lambda s: KEEP.append(s) or CLEANUP.append(s.close) or s)(__import__("smtpd").PureProxy(("127.0.0.1", 0), None)),
    "smtpd.SMTPChannel": lambda: __import__("smtpd").SMTPChannel(__import__("smtpd").SMTPServer(("127.0.0.1", 0), None), _pair_end(), ("127.0.0.1", 0), map={}),
    "telnetlib.Telnet": lambda: __import__("telnetlib").Telnet(),
    "nntplib.ArticleInfo": lambda: __import__("nntplib").ArticleInfo(1, "<a@b>", []),
    "nntplib.GroupInfo": lambda: __import__("nntplib").GroupInfo("g", "1", "0", "y"),
    "importlib.resources.readers.FileReader": lambda: __import__("importlib.readers").readers.FileReader(__import__("types").SimpleNamespace(path=_file("mod.py"))),
    "importlib.resources.readers.MultiplexedPath": lambda: __import__("importlib.readers").readers.MultiplexedPath(TMP),
    "importlib.resources.readers.ZipReader": lambda: __import__("importlib.readers").readers.ZipReader(__import__("zipimport").zipimporter(_zip_path()), "probe_zipped"),
    "importlib.resources.readers.NamespaceReader": _namespace_reader,
    "zipimport.zipimporter": lambda: __import__("zipimport").zipimporter(_zip_path()),
    "zipfile.PyZipFile": lambda: KEEP.append(__import__("zipfile").PyZipFile(_in_tmp("py.zip"), "w")) or KEEP[-1],
    "importlib.util.LazyLoader": lambda: __import__("importlib.util").util.LazyLoader(__import__("importlib.machinery").machinery.SourceFileLoader("m", _file("lazy.py"))),
    "logging.config.BaseConfigurator": lambda: __import__("logging.config").config.BaseConfigurator({}),
    "logging.config.DictConfigurator": lambda: __import__("logging.config").config.DictConfigurator({}),
    "logging.handlers.BaseRotatingHandler": lambda: __import__("logging.handlers").handlers.BaseRotatingHandler(_in_tmp("brlog.txt"), "a"),
    "logging.handlers.SysLogHandler (UDP, unsent)": lambda: __import__("logging.handlers").handlers.SysLogHandler(("127.0.0.1", 9)),
    "multiprocessing.dummy.DummyProcess": lambda: __import__("multiprocessing.dummy").dummy.DummyProcess(),
    "multiprocessing.dummy.Namespace": lambda: __import__("multiprocessing.dummy").dummy.Namespace(a=1),
    "multiprocessing.dummy.Value": lambda: __import__("multiprocessing.dummy").dummy.Value("i", 1),
    "multiprocessing.dummy.Pipe": lambda: __import__("multiprocessing.dummy").dummy.Pipe()[0],
    "multiprocessing.managers.Server": lambda: __import__("multiprocessing.managers").managers.Server({}, ("127.0.0.1", 0), b"k", "pickle"),
    "multiprocessing.managers.SharedMemoryServer": lambda: __import__("multiprocessing.managers").managers.SharedMemoryServer({}, ("127.0.0.1", 0), b"k", "pickle"),
    "multiprocessing.managers.SharedMemoryManager": _shm_manager,
    "multiprocessing.pool.ThreadPool": lambda: (lambda p: p.close() or p.join() or p)(__import__("multiprocessing.pool").pool.ThreadPool(1)),
    "multiprocessing spawn Popen": _started_process("spawn"),
    "multiprocessing forkserver Popen": _started_process("forkserver"),
    "multiprocessing.shared_memory.SharedMemory": _shared_memory,
    "multiprocessing.shared_memory.ShareableList": _shareable_list,
    "multiprocessing.Array('c')": _mp("Array", "c", 4),
    "multiprocessing.BoundedSemaphore": _mp("BoundedSemaphore"),
    "multiprocessing.util.Finalize": lambda: __import__("multiprocessing.util").util.Finalize(_weak_target(), print),
    "optparse.HelpFormatter": lambda: __import__("optparse").HelpFormatter(2, 24, None, 1),
    "optparse.Option": lambda: __import__("optparse").Option("-x"),
    "optparse.OptionGroup": lambda: __import__("optparse").OptionGroup(__import__("optparse").OptionParser(), "t"),
    "pickletools.OpcodeInfo": lambda: __import__("pickletools").opcodes[0],
    "pickletools.ArgumentDescriptor": lambda: next(o.arg for o in __import__("pickletools").opcodes if o.arg is not None),
    "pickletools.StackObject": lambda: next(o.stack_after[0] for o in __import__("pickletools").opcodes if o.stack_after),
    "pstats.FunctionProfile": lambda: __import__("pstats").FunctionProfile("1", 0.0, 0.0, 0.0, 0.0, "f.py", 1),
    "py_compile.PyCompileError": lambda: __import__("py_compile").PyCompileError(ValueError, ValueError("x"), "f.py"),
    "pydoc.Doc": lambda: __import__("pydoc").Doc(),
    "pydoc.HTMLDoc": lambda: __import__("pydoc").HTMLDoc(),
    "pydoc.TextDoc": lambda: __import__("pydoc").TextDoc(),
    "pydoc.HTMLRepr": lambda: __import__("pydoc").HTMLRepr(),
    "pydoc.TextRepr": lambda: __import__("pydoc").TextRepr(),
    "pydoc.Helper": lambda: __import__("pydoc").Helper(io.StringIO(), io.StringIO()),
    "pydoc.ModuleScanner": lambda: __import__("pydoc").ModuleScanner(),
    "pydoc.ErrorDuringImport": lambda: __import__("pydoc").ErrorDuringImport("f.py", (ValueError, ValueError("x"), None)),
    "signal.Handlers": lambda: __import__("signal").SIG_DFL,
    "signal.Sigmasks": lambda: __import__("signal").SIG_BLOCK,
    "signal.struct_siginfo": lambda: __import__("signal").struct_siginfo((0,) * 7),
    "tarfile.AbsoluteLinkError": lambda: __import__("tarfile").AbsoluteLinkError(__import__("tarfile").TarInfo("x")),
    "tarfile.AbsolutePathError": lambda: __import__("tarfile").AbsolutePathError(__import__("tarfile").TarInfo("x")),
    "tarfile.LinkOutsideDestinationError": lambda: __import__("tarfile").LinkOutsideDestinationError(__import__("tarfile").TarInfo("x"), "/y"),
    "tarfile.OutsideDestinationError": lambda: __import__("tarfile").OutsideDestinationError(__import__("tarfile").TarInfo("x"), "/y"),
    "tarfile.SpecialFileError": lambda: __import__("tarfile").SpecialFileError(__import__("tarfile").TarInfo("x")),
    "trace.CoverageResults": lambda: __import__("trace").CoverageResults(),
    "trace.Trace": lambda: __import__("trace").Trace(count=0, trace=0),
    "member_descriptor": lambda: type.__dict__["__basicsize__"],
    "method_descriptor": lambda: str.join,
    "wrapper_descriptor": lambda: object.__init__,
    "unittest.main.TestProgram": lambda: __import__("unittest").main(module=__import__("types").ModuleType("empty"), argv=["probe"], exit=False, testRunner=__import__("unittest").TextTestRunner(stream=io.StringIO())),
    "unittest.TextTestResult": lambda: __import__("unittest").TextTestResult(__import__("unittest.runner").runner._WritelnDecorator(io.StringIO()), True, 1),
    "webbrowser.BaseBrowser": lambda: __import__("webbrowser").BaseBrowser("x"),
    "webbrowser.GenericBrowser": lambda: __import__("webbrowser").GenericBrowser("x"),
    "webbrowser.BackgroundBrowser": lambda: __import__("webbrowser").BackgroundBrowser("x"),
    "webbrowser.UnixBrowser": lambda: __import__("webbrowser").UnixBrowser("x"),
    "webbrowser.Mozilla": lambda: __import__("webbrowser").Mozilla("x"),
    "webbrowser.Chrome": lambda: __import__("webbrowser").Chrome("x"),
    "webbrowser.Opera": lambda: __import__("webbrowser").Opera("x"),
    "webbrowser.Elinks": lambda: __import__("webbrowser").Elinks("x"),
    "webbrowser.Konqueror": lambda: __import__("webbrowser").Konqueror("x"),
    "xml.dom.expatbuilder.Rejecter": _expat("Rejecter"),
    "xml.dom.expatbuilder.Skipper": _expat("Skipper"),
    "xml.dom.expatbuilder.FragmentBuilder": _expat("fragment"),
    "xml.dom.expatbuilder.FragmentBuilderNS": _expat("fragmentns"),
    "xml.dom.pulldom.DOMEventStream": lambda: __import__("xml.dom.pulldom").dom.pulldom.parseString("<a/>"),
}


# Why a class is left without a verdict, for the classes no recipe can make here. Anything that
# a loopback socket, a temp file, a pipe or a short child process can make gets a recipe above;
# what is left is sorted so the coverage line can say what stands in the way.
WHY_UNDECIDED = {
    # Connects to its server while being constructed: only a peer speaking the protocol makes one.
    "network peer": re.compile(r"^(imaplib\.IMAP4(_SSL|_stream)?|nntplib\.NNTP(_SSL)?|poplib\.POP3(_SSL)?|urllib\.request\.ftpwrapper)$"),
    # Exists, or can be instantiated, only on Windows or macOS.
    "platform-only": re.compile(r"^(pathlib(\._local)?\.WindowsPath|logging\.handlers\.NTEventLogHandler|asyncio\.proactor_events\..*|asyncio\.windows_.*)$"),
    # Opens a terminal or a hardware device.
    "device": re.compile(r"^(curses\..*|ossaudiodev\..*|tty\..*)$"),
    # A base whose instances are always of a subclass (which has its own verdict): its constructor
    # refuses direct use or needs what only a subclass supplies.
    "base class": re.compile(r"^(asyncio\.base_subprocess\.BaseSubprocessTransport|multiprocessing\.managers\.Base(List)?Proxy|"
                             r"multiprocessing\.sharedctypes\.SynchronizedBase|multiprocessing\.synchronize\.SemLock|optparse\.OptionContainer|xml\.dom\.expatbuilder\.FilterCrutch|"
                             r"csv\.Dialect|xml\.dom\.DOMException|email\.headerregistry\.BaseHeader|typing\.Any|_?csv\.Dialect)$"),
}
OTHER_CLASS = {}  # class key -> the class its constructor returned instead (pathlib.Path() is a PosixPath)


def why_undecided(key):
    for why, pattern in WHY_UNDECIDED.items():
        if pattern.match(key):
            return why
    if key in OTHER_CLASS:
        return "another class"
    return "no recipe"


# ------------------------------------------------------------------------------ judgement


class _SpawningPopen:
    """Stands in for the Popen that is spawning a child: what ForkingPickler sees for Process args."""

    def duplicate_for_child(self, fd):
        return fd

    def DupFd(self, fd):
        return fd


def trials(obj):
    with baseline_reducers():
        return _trials(obj)


def _trials(obj):
    from multiprocessing import context
    from multiprocessing.reduction import ForkingPickler

    out = {}
    try:
        with bounded():
            data = pickle.dumps(obj)
        try:
            with bounded():
                pickle.loads(data)
            out["pickle"] = "ok"
        except BaseException as e:  # noqa: BLE001 - any failure is the runtime's verdict
            out["pickle"] = "on load: " + words(e)
    except BaseException as e:  # noqa: BLE001
        out["pickle"] = words(e)
    try:
        with bounded():
            data = bytes(ForkingPickler.dumps(obj))
        try:
            with bounded():
                ForkingPickler.loads(data)
            out["task"] = "ok"
        except BaseException as e:  # noqa: BLE001
            out["task"] = "on load: " + words(e)
    except BaseException as e:  # noqa: BLE001
        out["task"] = words(e)
    previous = context.get_spawning_popen()
    context.set_spawning_popen(_SpawningPopen())
    try:
        with bounded():
            ForkingPickler.dumps(obj)
        out["spawn"] = "ok"
    except BaseException as e:  # noqa: BLE001
        out["spawn"] = words(e)
    finally:
        context.set_spawning_popen(previous)
    return out


def default_reduction(cls):
    """The class relies on object's own reduction: nothing in its MRO, copyreg or multiprocessing overrides it."""
    if cls in copyreg.dispatch_table or (cls in _ForkingPickler._extra_reducers and cls not in MANAGER_REDUCERS):
        return False
    for c in cls.__mro__[:-1]:
        for hook in ("__reduce_ex__", "__reduce__", "__getstate__", "__getnewargs__", "__getnewargs_ex__", "__setstate__"):
            if hook in c.__dict__:
                return False
    return True


def type_level(cls):
    """A C type with the default reduction: the runtime refuses it for what the type is, not for its state."""
    if cls.__flags__ & HEAPTYPE and cls.__module__ not in sys.builtin_module_names and "__dict__" in dir(cls) and cls.__dictoffset__:
        return None  # a Python class: what it holds decides
    if not default_reduction(cls) or issubclass(cls, (list, dict)):
        return None  # object.__reduce_ex__ asks list and dict subclasses for no C-level state
    tp_name = cls.__qualname__ if cls.__module__ == "builtins" else type_key(cls)
    refused = f"TypeError: cannot pickle '{tp_name}' object"
    if cls.__flags__ & DISALLOW_INSTANTIATION or cls.__itemsize__:
        return {"pickle": refused, "task": refused, "spawn": refused}
    ptr = 8 if sys.maxsize > 2**32 else 4
    size = object.__basicsize__
    if cls.__dictoffset__ > 0:
        size += ptr
    if cls.__weakrefoffset__ > 0:
        size += ptr
    slots = copyreg._slotnames(cls)
    size += ptr * len(slots)
    if cls.__basicsize__ > size:
        return {"pickle": refused, "task": refused, "spawn": refused}
    return None


def public_classes(modules):
    """(public name, class) for every class a public module exports, its own or re-exported."""
    seen = []
    for modname, mod in modules:
        for name in sorted(vars(mod)):
            if name.startswith("_"):
                continue
            obj = vars(mod)[name]
            if not isinstance(obj, type):
                continue
            # A name the module merely imported (`from io import TextIOWrapper`) is not its API;
            # a C type re-exported by its public module (`_io.TextIOWrapper` as io.TextIOWrapper) is.
            home = obj.__module__
            exported = name in getattr(mod, "__all__", ())
            if exported or home == modname or home.lstrip("_") == modname or home in sys.builtin_module_names or home.startswith("_"):
                seen.append((f"{modname}.{name}", obj))
    return seen


def stdlib_modules():
    names = set()
    for top in sorted(sys.stdlib_module_names):
        if top.startswith("_") or SKIP_MODULES.match(top):
            continue
        names.add(top)
        try:
            with warnings.catch_warnings(), bounded(10):
                warnings.simplefilter("ignore")
                mod = importlib.import_module(top)
        except BaseException:  # noqa: BLE001 - not on this platform
            names.discard(top)
            continue
        if hasattr(mod, "__path__"):
            for info in pkgutil.walk_packages(mod.__path__, top + ".", onerror=lambda n: None):
                if any(part.startswith("_") for part in info.name.split(".")) or SKIP_MODULES.match(info.name):
                    continue
                names.add(info.name)
    modules = []
    for name in sorted(names):
        try:
            with warnings.catch_warnings(), bounded(10), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                modules.append((name, importlib.import_module(name)))
        except BaseException:  # noqa: BLE001
            continue
    return modules


def abstract(cls):
    """No instance is ever of this class itself: an ABC with abstract methods, a typing Protocol, a member-less Enum base."""
    import enum
    import inspect

    if inspect.isabstract(cls) or getattr(cls, "_is_protocol", False):
        return True
    return isinstance(cls, enum.EnumMeta) and not list(cls)


def argument_shapes(cls):
    """Arguments to try, in order, when the class has no recipe: none, then the shapes most
    constructors of the standard library accept (a name, a number, a few strings for exceptions
    and records, a binary or text stream, lib2to3's fixers' (options, log)). Named tuples and
    struct sequences get one value per field."""
    shapes = [()]
    fields = getattr(cls, "_fields", None)
    if isinstance(fields, tuple):
        shapes.append((None,) * len(fields))
    n = getattr(cls, "n_sequence_fields", None)
    if isinstance(n, int):
        shapes.append(((0,) * n,))
    shapes += [("x",), (1,), ("x", "x"), ("x", "x", "x"), ("x", "x", "x", "x"), ("x", "x", "x", "x", "x"), (b"x",), (io.BytesIO(b"x"),), (io.StringIO("x"),), ({}, [])]
    return shapes


def blind_instance(public, cls):
    mod = public.rsplit(".", 1)[0]
    # Making an exception never starts anything, whatever its module does.
    if (NO_BLIND_CALL_MODULES.match(mod) or public in NO_BLIND_CALL or type_key(cls) in NO_BLIND_CALL) and not issubclass(cls, BaseException):
        return None
    import enum

    if isinstance(cls, enum.EnumMeta):
        members = list(cls)
        return (members[0], "enum member") if members else None
    if cls.__flags__ & DISALLOW_INSTANTIATION or getattr(cls, "__abstractmethods__", None):
        return None
    for args in argument_shapes(cls):
        try:
            with warnings.catch_warnings(), bounded(2), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                obj = cls(*args)
        except BaseException:  # noqa: BLE001 - needs other arguments
            continue
        label = "no-arg call" if not args else "call(" + ", ".join(type(a).__name__ if isinstance(a, (io.IOBase, dict, list)) else repr(a) for a in args) + ")"
        if type(obj) is not cls:
            if not isinstance(obj, cls):
                OTHER_CLASS.setdefault(type_key(cls), type_key(type(obj)))
                continue
            # The constructor hands back an instance of another class that still is a `cls`
            # (pathlib.Path() is a PosixPath here, ast.Num(1) an ast.Constant): that object is what
            # every program calling it gets, so its verdict is the class's.
            label = f"{label} -> {type_key(type(obj))}"
        KEEP.append(obj)
        return (obj, label)
    return None


def probe():
    os.chdir(TMP)
    table = {}

    def record(key, how, verdicts, public=None, recipe=None):
        entry = table.get(key)
        if entry is None or entry["how"] in ("undecided", "abstract") or (entry["how"] != "recipe" and how == "recipe"):
            entry = {"how": how, **verdicts, "names": sorted(set((entry or {}).get("names", [])))}
            if recipe:
                entry["recipe"] = recipe
            table[key] = entry
        if public and public not in entry["names"]:
            entry["names"] = sorted(entry["names"] + [public])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, make in RECIPES.items():
            if make is None:
                continue
            try:
                with bounded(10):
                    obj = make()
            except BaseException as e:  # noqa: BLE001 - not on this version or platform
                print(f"recipe {label!r} failed: {words(e)}", file=sys.stderr)
                continue
            record(type_key(type(obj)), "recipe", trials(obj), recipe=label)

    modules = stdlib_modules()
    classes = public_classes(modules)
    for public, cls in classes:
        key = type_key(cls)
        if key in table and table[key]["how"] == "recipe":
            record(key, "recipe", {}, public)
            continue
        made = blind_instance(public, cls)
        if made is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # A call with guessed arguments is a "call"; the arguments are kept as its recipe.
                how = "no-arg call" if made[1] in ("no-arg call", "enum member") else "call"
                record(key, how, trials(made[0]), public, recipe=None if how == "no-arg call" else made[1])
            continue
        verdicts = type_level(cls)
        if verdicts:
            record(key, "type", verdicts, public)
            continue
        if abstract(cls):
            record(key, "abstract", {}, public)
            continue
        record(key, "undecided", {}, public)
    for key, entry in table.items():
        if entry["how"] == "undecided":
            entry["why"] = why_undecided(key)
    return modules, table


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", help="write the table here (default: stdout)")
    args = ap.parse_args()
    out = os.path.abspath(args.out) if args.out else None
    modules, table = probe()
    version = ".".join(map(str, sys.version_info[:3]))
    counts = {}
    for e in table.values():
        counts[e["how"]] = counts.get(e["how"], 0) + 1
    result = {
        "python": version,
        "regenerate": f"python{sys.version_info[0]}.{sys.version_info[1]} tools/probe/python-pickle.py --out data/python-pickle/{version}.json",
        "modules": len(modules),
        "counts": dict(sorted(counts.items())),
        "types": dict(sorted(table.items())),
    }
    text = json.dumps(result, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    # Leave without running finalizers of the objects made above (threads, loops, managers).
    sys.stdout.flush()
    import shutil

    for stop in CLEANUP:
        stop()
    shutil.rmtree(TMP, ignore_errors=True)
    os._exit(0)


if __name__ == "__main__":
    main()
