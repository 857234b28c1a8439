"""The index folder: its builds, the writer lock, and CURRENT, switched atomically.

    index/CURRENT                      the manifest being served, e.g. "b-000001/m-000042.json"
    index/LOCK                         flock(2) target: one writer at a time
    index/b-000001/                    a build: all made with one embedder and passage setting
    index/b-000001/BUILDING            while the build is not complete (its settings, to resume)
    index/b-000001/store.sqlite        articles, passages, vectors (`qa.index.store`)
    index/b-000001/lexical/            the tantivy index (`qa.index.lexical`)
    index/b-000001/segments/seg-*/     immutable segments (`qa.index.segments`)
    index/b-000001/m-000042.json       the manifest of generation 42 (`qa.index.manifest`)

A generation is published by writing its manifest into a new file and replacing CURRENT
with one atomic rename. A process killed at any point leaves CURRENT naming a complete
manifest. Files that no kept manifest names are collected by the next writer.
"""

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from qa.errors import IndexLocked, IndexMismatch, IndexMissing
from qa.files import fsync_folder, write_atomically
from qa.index.manifest import FORMAT_VERSION, Manifest

STORE_FILE = "store.sqlite"
LEXICAL_FOLDER = "lexical"
SEGMENTS_FOLDER = "segments"
BUILDING_FILE = "BUILDING"
KEEP_MANIFESTS = 3  # a reader still loading an older one finds its files
RETIRED_SECONDS = 60  # an old build stays this long after the switch, for readers to follow


class IndexFolder:
    """Paths, the writer lock and the atomic switch of one index folder."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.current_file = self.root / "CURRENT"
        self.lock_file = self.root / "LOCK"

    # -- reading ----------------------------------------------------------------
    def current_pointer(self) -> str | None:
        """CURRENT's content ("b-000001/m-000042.json"), or None before the first build."""
        try:
            return self.current_file.read_text().strip() or None
        except FileNotFoundError:
            return None

    def current(self) -> Manifest:
        """The manifest being served (IndexMissing / IndexMismatch when there is none)."""
        pointer = self.current_pointer()
        if pointer is None:
            raise IndexMissing(
                f"No index at {self.root}: run `qa index build --index {self.root}` first"
            )
        if not (pointer.startswith("b-") and pointer.endswith(".json")):
            raise IndexMismatch(
                f"The index at {self.root} was written by an older version of qa: "
                "run `qa index build` to rebuild it"
            )
        try:
            manifest = Manifest.from_json((self.root / pointer).read_text())
        except FileNotFoundError:
            raise IndexMissing(
                f"The index at {self.root} names {pointer}, which is missing: "
                "run `qa index build` to rebuild it"
            ) from None
        except (ValueError, TypeError, KeyError) as error:
            raise IndexMismatch(
                f"The index at {self.root} was written by another version of qa ({error}): "
                "run `qa index build` to rebuild it"
            ) from None
        if manifest.format != FORMAT_VERSION:
            raise IndexMismatch(
                f"The index at {self.root} has format {manifest.format}, this version reads "
                f"{FORMAT_VERSION}: run `qa index build` to rebuild it"
            )
        return manifest

    def build_folder(self, build: str) -> Path:
        return self.root / build

    def segment_folder(self, build: str, segment: str) -> Path:
        return self.root / build / SEGMENTS_FOLDER / segment

    def manifests(self, build: str) -> list[Manifest]:
        """The manifests written in `build`, oldest first."""
        found = []
        for path in sorted(self.build_folder(build).glob("m-*.json")):
            with contextlib.suppress(ValueError, TypeError, KeyError, OSError):
                found.append(Manifest.from_json(path.read_text()))
        return found

    # -- builds -----------------------------------------------------------------
    def new_build(self, settings: dict) -> str:
        """Create the folder of a new build, marked unfinished; return its name."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[2:]) for p in self.root.glob("b-*") if p.name[2:].isdigit()]
        name = f"b-{max(numbers, default=0) + 1:06d}"
        folder = self.build_folder(name)
        (folder / SEGMENTS_FOLDER).mkdir(parents=True)
        write_atomically(folder / BUILDING_FILE, json.dumps(settings))
        return name

    def abandon_build(self, build: str) -> None:
        """Give up an unfinished build (another one replaces it); it is collected later."""
        (self.build_folder(build) / BUILDING_FILE).unlink(missing_ok=True)

    def unfinished_build(self) -> tuple[str, dict] | None:
        """The newest build not yet complete and its settings, if there is one."""
        for folder in sorted(self.root.glob("b-*"), reverse=True):
            marker = folder / BUILDING_FILE
            if marker.exists():
                with contextlib.suppress(ValueError, OSError):
                    return folder.name, json.loads(marker.read_text())
        return None

    # -- publishing -------------------------------------------------------------
    def publish(self, manifest: Manifest) -> Manifest:
        """Write `manifest` and make it current with one atomic rename; return it as written.

        A build still marked unfinished writes its manifests without switching: its first
        switch is `finish_build`.
        """
        manifest = manifest.with_changes(published_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        folder = self.build_folder(manifest.build)
        write_atomically(folder / manifest.file_name, manifest.to_json())
        if not (folder / BUILDING_FILE).exists():
            self._point_at(f"{manifest.build}/{manifest.file_name}")
        return manifest

    def finish_build(self, manifest: Manifest) -> None:
        """Make a completed build current and retire the one it replaces."""
        previous = self.current_pointer()
        (self.build_folder(manifest.build) / BUILDING_FILE).unlink(missing_ok=True)
        fsync_folder(self.build_folder(manifest.build))
        self._point_at(f"{manifest.build}/{manifest.file_name}")
        old = previous.split("/")[0] if previous else None
        if old and old != manifest.build and self.build_folder(old).is_dir() and old[:2] == "b-":
            write_atomically(self.build_folder(old) / "RETIRED", str(time.time()))

    def _point_at(self, pointer: str) -> None:
        write_atomically(self.current_file, pointer + "\n")

    # -- collecting -------------------------------------------------------------
    def kept_manifests(self, build: str) -> list[Manifest]:
        """The newest manifests of `build`, which readers may still be loading."""
        return self.manifests(build)[-KEEP_MANIFESTS:]

    def collect(self, build: str) -> None:
        """Remove what no kept manifest of `build` names: old manifests, segments, deletes
        files, abandoned scratch folders, and builds retired long enough ago."""
        kept = self.kept_manifests(build)
        folder = self.build_folder(build)
        for path in folder.glob("m-*.json"):
            if path.name not in {m.file_name for m in kept}:
                path.unlink(missing_ok=True)
        named: dict[str, set[str]] = {}
        for manifest in kept:
            for entry in manifest.segments:
                named.setdefault(entry.name, set()).add(entry.deletes or "")
        for segment in (folder / SEGMENTS_FOLDER).iterdir():
            if segment.name.startswith("."):
                if not _owner_alive(segment.name):
                    shutil.rmtree(segment, ignore_errors=True)
            elif segment.name not in named:
                shutil.rmtree(segment, ignore_errors=True)
            else:
                for deletes in segment.glob("deleted-*.npy"):
                    if deletes.name not in named[segment.name]:
                        deletes.unlink(missing_ok=True)
        self._collect_builds()

    def _collect_builds(self) -> None:
        shutil.rmtree(self.root / "generations", ignore_errors=True)  # format 2's layout
        current = (self.current_pointer() or "").split("/")[0]
        for other in self.root.glob("b-*"):
            if other.name == current or (other / BUILDING_FILE).exists():
                continue
            try:
                retired = float((other / "RETIRED").read_text())
            except (OSError, ValueError):
                retired = 0.0  # never finished nor retired properly: abandoned
            if time.time() - retired > RETIRED_SECONDS:
                shutil.rmtree(other, ignore_errors=True)

    def place_segment(self, build: str, name: str, written: Path) -> Path:
        """Move the segment written (and flushed) at `written` into `build` as `name`, where
        the next manifest can list it; return its folder. One left there by a killed attempt
        at the same generation, never published, is replaced."""
        final = self.segment_folder(build, name)
        if final.exists():
            shutil.rmtree(final)
        written.rename(final)
        fsync_folder(final.parent)
        return final

    def scratch(self, build: str, purpose: str) -> Path:
        """A fresh folder beside the segments to write one into (`.{purpose}-{pid}-{ns}`);
        collected when its process is gone."""
        path = (
            self.build_folder(build)
            / SEGMENTS_FOLDER
            / f".{purpose}-{os.getpid()}-{time.time_ns()}"
        )
        path.mkdir(parents=True)
        return path

    # -- locking ----------------------------------------------------------------
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


def _owner_alive(scratch_name: str) -> bool:
    """Whether the process that made a scratch folder (`.purpose-pid-ns`) still runs."""
    try:
        pid = int(scratch_name.split("-")[1])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
