"""Index generations on disk: each build or update writes a new folder and switches atomically.

Layout under the index folder:
    CURRENT                  the name of the generation being served (replaced atomically)
    LOCK                     flock(2) target that lets one writer in at a time
    generations/gen-000007/  a complete, self-contained index
    generations/.tmp-...     a generation being written (never read; swept by the next writer)

A process killed at any point leaves CURRENT naming a complete generation.
"""

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from qa.errors import IndexLocked, IndexMissing

KEEP_GENERATIONS = 2


class Layout:
    """Paths of one index folder."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.current_file = self.root / "CURRENT"
        self.generations = self.root / "generations"
        self.lock_file = self.root / "LOCK"

    def current_name(self) -> str | None:
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def current(self) -> Path:
        """The folder of the generation being served."""
        name = self.current_name()
        if name is None or not (self.generations / name).is_dir():
            raise IndexMissing(
                f"No index at {self.root}: run `qa index build --index {self.root}` first"
            )
        return self.generations / name

    def next_name(self) -> str:
        numbers = [
            int(path.name.removeprefix("gen-"))
            for path in self.generations.glob("gen-*")
            if path.name.removeprefix("gen-").isdigit()
        ]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def scratch(self) -> Path:
        """A fresh folder to write the next generation into."""
        self.generations.mkdir(parents=True, exist_ok=True)
        path = self.generations / f".tmp-{os.getpid()}-{time.time_ns()}"
        path.mkdir()
        return path

    def publish(self, scratch: Path) -> str:
        """Move a finished scratch folder into place and make it current; return its name."""
        _fsync_tree(scratch)
        name = self.next_name()
        scratch.rename(self.generations / name)
        _fsync_dir(self.generations)
        pointer = self.root / f".CURRENT.{os.getpid()}"
        with open(pointer, "w") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer, self.current_file)
        _fsync_dir(self.root)
        return name

    def sweep(self) -> None:
        """Remove abandoned scratch folders and generations older than the last few."""
        current = self.current_name()
        for path in self.generations.glob(".tmp-*"):
            shutil.rmtree(path, ignore_errors=True)
        names = sorted(path.name for path in self.generations.glob("gen-*"))
        for name in names[:-KEEP_GENERATIONS]:
            if name != current:
                shutil.rmtree(self.generations / name, ignore_errors=True)

    @contextlib.contextmanager
    def writer(self, wait: bool = True) -> Iterator[None]:
        """Hold the writer lock; with wait=False, raise IndexLocked if another writer has it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as error:
                raise IndexLocked(
                    f"Another process is updating the index at {self.root}; try again when it ends"
                ) from error
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)
