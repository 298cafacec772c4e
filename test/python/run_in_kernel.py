"""Runs a notebook in a real Jupyter kernel (ipykernel through nbclient), for the kernel oracle.

The kernel starts in the notebook's folder, as Jupyter starts it; the start method comes from the
oracle's sitecustomize, which the kernel process inherits through PYTHONPATH. Every output the
cells produced is printed: streams (the kernel captures what spawned workers print too) to
stdout, errors to stderr. Exit 1 when a cell raised.

Usage: python run_in_kernel.py NOTEBOOK.ipynb
"""
import os
import re
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def main():
    path = os.path.abspath(sys.argv[1])
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(path)}})
    failed = False
    try:
        client.execute()
    except CellExecutionError:
        failed = True
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                (sys.stderr if out.get("name") == "stderr" else sys.stdout).write(out.get("text", ""))
            elif out.get("output_type") == "error":
                sys.stderr.write(ANSI.sub("", "\n".join(out.get("traceback", []))) + "\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
