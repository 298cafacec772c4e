"""Runs a notebook's code cells the way a Jupyter kernel does, for the oracles.

The kernel executes every cell in one namespace installed as `sys.modules["__main__"]`, a module
with no `__file__` (IPython's DummyMod): a spawned child has no main module to re-import and
looks pickled `__main__.f` up in its own bootstrap `__main__`. The kernel's working folder is the
notebook's (where the kernel started), and the notebook's folder leads sys.path, so modules beside
the notebook import, in spawned children too (multiprocessing hands them sys.path with '' made
the folder the parent started in). IPython syntax (`%`
magics, `!` shell lines) is skipped here, as sendcheck skips it; the fixtures' magics have no
effect on what crosses a process boundary.

Usage: python run_notebook.py NOTEBOOK.ipynb
"""
import json
import os
import re
import sys
import types

PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "python", "python3"}
IPYTHON_LINE = re.compile(r"^\s*([%!?]|[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[!%])")


def cell_python(source):
    lines = source.split("\n")
    if lines and lines[0].strip().startswith("%%"):
        name = re.match(r"%%(\w+)", lines[0].strip())
        if not name or name.group(1) not in PYTHON_CELL_MAGICS:
            return ""
    return "\n".join(re.match(r"^[ \t]*", l).group(0) + "pass" if IPYTHON_LINE.match(l) else l for l in lines)


def main():
    path = os.path.abspath(sys.argv[1])
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    os.chdir(os.path.dirname(path))
    sys.path[0] = os.path.dirname(path)
    main_module = types.ModuleType("__main__")
    main_module.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main_module
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        exec(compile(cell_python(source), f"<cell {index + 1}>", "exec"), main_module.__dict__)


if __name__ == "__main__":
    main()
