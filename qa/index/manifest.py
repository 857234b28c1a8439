"""A manifest: one published generation of a build, written whole and never changed.

A manifest lists the live segments with the deletes file of each, the settings the build was
made with, and what its generation changed; like Lucene's commit point or Tantivy's
meta.json, it is written whole into a new file (`m-000042.json` in its build's folder) and
becomes current when the index folder's CURRENT names it (`qa.index.folder`).
"""

import dataclasses
import json
from dataclasses import dataclass, field

FORMAT_VERSION = 3


@dataclass(frozen=True)
class SegmentEntry:
    """A live segment as a manifest lists it."""

    name: str
    passages: int  # written into the segment
    deleted: int  # of those, deleted since
    deletes: str | None  # the file holding the deleted ids, in the segment's folder
    vectors: str  # the FAISS factory it was built with

    @property
    def live(self) -> int:
        return self.passages - self.deleted


@dataclass(frozen=True)
class Manifest:
    """One published generation of a build."""

    build: str
    generation: int
    segments: tuple[SegmentEntry, ...]
    settings: dict  # embedder, dimension, passages, faiss: fixed for the build
    change: dict = field(default_factory=dict)  # what this generation did
    last_merge: dict | None = None
    published_at: str = ""
    format: int = FORMAT_VERSION

    @property
    def passages(self) -> int:
        return sum(entry.live for entry in self.segments)

    @property
    def file_name(self) -> str:
        return manifest_file(self.generation)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        values = json.loads(text)
        values["segments"] = tuple(SegmentEntry(**entry) for entry in values["segments"])
        return cls(**values)

    def with_changes(self, **changes) -> "Manifest":
        return dataclasses.replace(self, **changes)


def manifest_file(generation: int) -> str:
    return f"m-{generation:06d}.json"
