"""The read side of an index: one published generation, and a reader that follows them.

An `Index` is what a query needs from one generation: the store (read at that generation),
the vector index over its live segments, a lexical searcher fixed on the engine's state, and
the embedder. It never changes; a newer generation is a new `Index`. `IndexReader` opens
them and shares what consecutive generations have in common: the store connection and the
lexical engine of a build, and every segment's memory-mapped files. A request keeps the
`Index` it started with, so nothing it reads is closed under it.
"""

import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from qa.embedders import Embedder, get_embedder
from qa.errors import IndexMismatch
from qa.index.folder import LEXICAL_FOLDER, STORE_FILE, IndexFolder
from qa.index.lexical import LexicalIndex, LexicalSearcher
from qa.index.manifest import Manifest
from qa.index.segments import LiveSegment, Segment, Segments, read_deletes
from qa.index.store import Store
from qa.index.vectors import VectorIndex

OPEN_ATTEMPTS = 5  # a generation collected while being opened: try the newer one


@dataclass(frozen=True)
class Index:
    """Everything a query needs from one generation. Immutable once opened."""

    manifest: Manifest
    store: Store
    segments: Segments
    vectors: VectorIndex
    lexical: LexicalSearcher
    embedder: Embedder

    @property
    def generation(self) -> int:
        return self.manifest.generation

    @property
    def name(self) -> str:
        """The generation as CURRENT names it, e.g. "b-000001/m-000042.json"."""
        return f"{self.manifest.build}/{self.manifest.file_name}"

    @classmethod
    def load(
        cls, index_dir: Path, embedder_name: str | None = None, embedder: Embedder | None = None
    ) -> "Index":
        """The current generation of the index at `index_dir`, for one-off use (the CLI)."""
        return IndexReader(index_dir, embedder_name, embedder).open()

    @cached_property
    def article_count(self) -> int:
        return self.store.count_articles(self.generation)

    def describe(self) -> dict:
        """What `qa index status` and `GET /api/index/status` show about this generation."""
        manifest = self.manifest
        written = sum(entry.passages for entry in manifest.segments)
        deleted = sum(entry.deleted for entry in manifest.segments)
        return {
            "generation": manifest.generation,
            "build": manifest.build,
            "published_at": manifest.published_at,
            "articles": self.article_count,
            "passages": manifest.passages,
            "embedder": manifest.settings["embedder"],
            "dimension": manifest.settings["dimension"],
            "passage_settings": manifest.settings["passages"],
            "faiss": manifest.settings["faiss"],
            "segments": {
                "count": len(manifest.segments),
                "passages": written,
                "deleted": deleted,
                "deleted_share": round(deleted / written, 4) if written else 0.0,
                "list": [
                    {
                        "name": entry.name,
                        "passages": entry.passages,
                        "deleted": entry.deleted,
                        "vectors": entry.vectors,
                    }
                    for entry in manifest.segments
                ],
            },
            "last_change": manifest.change,
            "last_merge": manifest.last_merge,
        }

    def close(self) -> None:
        self.store.close()


class IndexReader:
    """Opens the generations of one index folder as they are published."""

    def __init__(
        self, index_dir: Path, embedder_name: str | None = None, embedder: Embedder | None = None
    ):
        self.folder = IndexFolder(index_dir)
        self.embedder_name = embedder_name
        self._embedder = embedder
        self._build: str | None = None
        self._store: Store | None = None
        self._lexical: LexicalIndex | None = None
        self._segments: dict[str, Segment] = {}

    def current_name(self) -> str | None:
        """What CURRENT names now (cheap: for noticing a new publication)."""
        return self.folder.current_pointer()

    def open(self) -> Index:
        """The current generation. A generation collected while it is being opened (by a
        writer many publications ahead) is retried on the newer one."""
        for attempt in range(OPEN_ATTEMPTS):
            try:
                return self._open(self.folder.current())
            except FileNotFoundError:
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _open(self, manifest: Manifest) -> Index:
        embedder = self._check_embedder(manifest)
        if manifest.build != self._build:
            build_dir = self.folder.build_folder(manifest.build)
            self._store = Store(build_dir / STORE_FILE, readonly=True)
            self._lexical = LexicalIndex(build_dir / LEXICAL_FOLDER)
            self._build = manifest.build
            self._segments = {}
        parts = []
        for entry in manifest.segments:
            segment = self._segments.get(entry.name)
            if segment is None:
                segment = Segment.open(self.folder.segment_folder(manifest.build, entry.name))
            parts.append(LiveSegment.of(segment, read_deletes(segment.folder, entry.deletes)))
        self._segments = {part.segment.name: part.segment for part in parts}
        live = Segments(parts)
        return Index(
            manifest=manifest,
            store=self._store,
            segments=live,
            vectors=live.vector_index(manifest.settings["dimension"]),
            lexical=self._lexical.searcher(),
            embedder=embedder,
        )

    def _check_embedder(self, manifest: Manifest) -> Embedder:
        settings = manifest.settings
        embedder = self._embedder or get_embedder(self.embedder_name or settings["embedder"])
        if embedder.name != settings["embedder"] or embedder.dimension != settings["dimension"]:
            raise IndexMismatch(
                f"The index at {self.folder.root} was built with {settings['embedder']} "
                f"({settings['dimension']} dimensions), not {embedder.name} "
                f"({embedder.dimension}): run `qa index build --embedder {embedder.name}` "
                "to rebuild it"
            )
        self._embedder = embedder
        return embedder
