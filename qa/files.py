"""Writing files so that a crash never leaves one half written, and flushing them to disk.

The corpus (article files, bulk files, the feed list) and the index (manifests, CURRENT,
segments) both replace files that readers may open at any moment: a file is written whole
beside its target under a hidden name, flushed, and renamed over it, so a reader or a crash
finds the old file or the new one. The folder is flushed after the rename, so that the new
name survives a power cut too.
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file to write that replaces `path` only when the block ends without an error.

    The temporary file is hidden (a leading dot), so a corpus scan running meanwhile skips it.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); keep the old file's mode, else the usual 0644
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) in one step (`atomic_file`)."""
    with atomic_file(path) as file:
        file.write(text.encode("utf-8"))


def fsync_tree(folder: Path) -> None:
    """Flush every file under `folder`, then the folder itself, to disk."""
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    fsync_folder(folder)


def fsync_folder(path: Path) -> None:
    """Flush a folder's entries (names made, renamed or removed in it) to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
