"""Build and update an index: each change writes a small segment and publishes a manifest.

An update costs what it changes, not what the index holds: new passages go into one new
segment, removed ones become tombstones (a deletes file per affected segment, the lexical
engine's own deletes), and the store gains rows without being copied. The order of the steps
makes a kill at any point harmless:

    embedding   vectors of new passage texts, committed to the store in batches (a killed
                update or build finds them there and does not embed them again)
    storing     the generation's rows, in one SQLite transaction, invisible until published
    segment     the new segment's files and the deletes files, unreferenced until published
    lexical     the lexical engine's adds and deletes, in one commit
    published   the manifest, made current by one atomic rename

A writer that finds work of a generation that was never published (rows, lexical changes)
undoes it first (`_recover`). Unchanged articles are never re-embedded, and neither are the
unchanged passages of an edited article: vectors are found by the hash of their text.

A large update is cut into steps of about `STEP_PASSAGES` passages, each published as it is
done, so a long build shows progress and a killed one resumes where it stopped. A full build
(`rebuild`, or the first one) writes a new build folder that becomes current when complete.
"""

import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.articles import Article
from qa.cluster import Cluster, Embedding, embedding_for
from qa.embedders import Embedder
from qa.errors import IndexWriteError
from qa.index import segments
from qa.index.folder import LEXICAL_FOLDER, STORE_FILE, IndexFolder
from qa.index.lexical import LexicalIndex, LexicalRecord
from qa.index.manifest import Manifest, SegmentEntry
from qa.index.progress import Progress, silent
from qa.index.store import NewPassage, Store
from qa.index.target import Target, choose_target
from qa.index.vectors import factory_for
from qa.text.passages import PassageSettings, embedding_text

STEP_PASSAGES = 20_000  # passages per published step of a large update
EMBED_BATCH = 256  # passages embedded, then committed, at a time


@dataclass
class UpdateReport:
    """What an update did, by article id."""

    generation: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    embedded_passages: int = 0  # passage texts embedded (not found in the store)
    reused_passages: int = 0  # new passages whose vector was already stored
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def sync_index(
    articles: Mapping[str, Article],
    index_dir: Path,
    rebuild: bool = False,
    embedder_name: str | None = None,
    passage_settings: PassageSettings | None = None,
    faiss: str | None = None,
    embedder: Embedder | None = None,
    progress: Progress = silent,
    wait: bool = True,
    cluster: Cluster | None = None,
) -> UpdateReport:
    """Make the index at `index_dir` hold exactly `articles`; return what changed.

    With rebuild=True (or no index yet) everything goes into a new build, with the given
    embedder, passage settings and FAISS type (defaults otherwise). Else the index's own
    settings are kept, and an explicit setting that differs raises IndexMismatch.
    `embedder`, when given, is used instead of loading one by name; with `cluster`, articles
    are cut into passages and embedded on its workers.
    """

    def plan(stored: Mapping[str, str], report: UpdateReport) -> list[Article]:
        report.removed = sorted(set(stored) - set(articles))
        fresh = [a for i, a in articles.items() if stored.get(i) != a.fingerprint]
        report.updated = sorted(a.id for a in fresh if a.id in stored)
        report.added = [a.id for a in fresh if a.id not in stored]
        report.unchanged = len(articles) - len(fresh)
        return fresh

    requested = {"embedder": embedder_name, "passages": passage_settings, "faiss": faiss}
    return _update(index_dir, plan, rebuild, requested, embedder, progress, wait, cluster)


def apply_changes(
    index_dir: Path,
    upserts: Sequence[Article] = (),
    deletions: Sequence[str] = (),
    embedder: Embedder | None = None,
    progress: Progress = silent,
    wait: bool = True,
    cluster: Cluster | None = None,
) -> UpdateReport:
    """Add or replace `upserts` and drop `deletions`, leaving every other article as it is.

    Costs nothing per unchanged article, unlike `sync_index`, which needs the whole corpus.
    """

    def plan(stored: Mapping[str, str], report: UpdateReport) -> list[Article]:
        latest = {article.id: article for article in upserts}
        report.removed = sorted({i for i in deletions if i in stored} - set(latest))
        fresh = [a for a in latest.values() if stored.get(a.id) != a.fingerprint]
        report.updated = sorted(a.id for a in fresh if a.id in stored)
        report.added = [a.id for a in fresh if a.id not in stored]
        report.unchanged = len(latest) - len(fresh)
        return fresh

    concerned = {a.id for a in upserts} | set(deletions)
    return _update(index_dir, plan, False, {}, embedder, progress, wait, cluster, concerned)


Plan = Callable[[Mapping[str, str], UpdateReport], list[Article]]


def _update(
    index_dir: Path,
    plan: Plan,
    rebuild: bool,
    requested: dict,
    embedder: Embedder | None,
    progress: Progress,
    wait: bool,
    cluster: Cluster | None,
    concerned: set[str] | None = None,
) -> UpdateReport:
    """Under the writer lock: plan against the current generation, then write and publish."""
    started = time.perf_counter()
    folder = IndexFolder(index_dir)
    report = UpdateReport()
    with folder.writer(wait=wait):
        target = choose_target(folder, rebuild, requested, embedder)
        build_dir = folder.build_folder(target.build)
        store = Store(build_dir / STORE_FILE)
        try:
            lexical = LexicalIndex(build_dir / LEXICAL_FOLDER)
            generation = target.base.generation if target.base else 0
            _recover(store, lexical, generation)
            fresh = plan(store.fingerprints(generation, concerned), report)
            manifest = target.base
            if report.changed or manifest is None:
                embedding = embedding_for(target.settings, cluster, embedder)
                writer = _Writer(folder, target, store, lexical, embedding, progress, report)
                try:
                    manifest = writer.write(fresh, report.removed + report.updated)
                finally:
                    writer.close()
            if target.building:
                folder.finish_build(manifest)
            report.generation = manifest.generation
            collect(folder, store, target.build)
        except (OSError, sqlite3.Error) as error:
            raise _write_failed(folder, error) from error
        finally:
            store.close()
    report.seconds = time.perf_counter() - started
    return report


def _recover(store: Store, lexical: LexicalIndex, generation: int) -> None:
    """Undo what a killed writer did for generations after `generation`, never published.

    The lexical engine is put back first (delete what those generations added or removed,
    re-add what they removed), then the rows: killed in between, the next writer finds the
    same rows and does the same again.
    """
    added, removed = store.changed_after(generation)
    if not added and not removed:
        return
    with lexical.writer() as writer:
        writer.delete(added + removed)
        writer.add(LexicalRecord(*record) for record in store.lexical_records(removed))
        writer.commit()
    with store.transaction():
        store.rollback_after(generation)


class _Writer:
    """Writes the generations of one update, one step of passages at a time."""

    def __init__(
        self,
        folder: IndexFolder,
        target: Target,
        store: Store,
        lexical: LexicalIndex,
        embedding: Embedding,
        progress: Progress,
        report: UpdateReport,
    ):
        self.folder = folder
        self.target = target
        self.store = store
        self.lexical = lexical
        self.embedding = embedding
        self.progress = progress
        self.report = report
        self.settings = target.settings
        self.passage_settings = PassageSettings(**self.settings["passages"])
        self.donor = Store(target.donor, readonly=True) if target.donor else None

    def close(self) -> None:
        if self.donor is not None:
            self.donor.close()

    def write(self, fresh: list[Article], removed: list[str]) -> Manifest:
        """Publish `fresh` (new versions of articles) and the removal of `removed` (ids).

        The old version of an updated article goes in the step that adds its new one, so it
        is never missing in between.
        """
        manifest = self.target.base or Manifest(
            build=self.target.build, generation=0, segments=(), settings=self.settings
        )
        cut = self.embedding.passages(fresh, self.passage_settings)
        prepared = list(zip(fresh, cut, strict=True))
        total = sum(len(passages) for _, passages in prepared)
        self.progress("embedding", 0, total)
        done = 0
        pure_removals = sorted(set(removed) - {article.id for article in fresh})
        for number, step in enumerate(list(_steps(prepared)) or [[]]):
            replaced = [article.id for article, _ in step]
            gone = replaced + (pure_removals if number == 0 else [])
            manifest = self._step(manifest, step, gone, done, total)
            done += sum(len(passages) for _, passages in step)
        return manifest

    def _step(
        self,
        manifest: Manifest,
        step: list[tuple[Article, list[NewPassage]]],
        removed: list[str],
        done: int,
        total: int,
    ) -> Manifest:
        generation = manifest.generation + 1
        segment = f"seg-{generation:06d}"
        self._embed(step, generation, done, total)
        with self.store.transaction():
            removed_ids = self.store.remove_articles(removed, generation)
            added_ids: list[int] = []
            keys: list[int] = []
            for article, passages in step:
                key, ids = self.store.add_article(article, passages, segment, generation)
                added_ids += ids
                keys += [key] * len(ids)
        self.progress("storing", done, total)
        entries = self._deletes(manifest, removed_ids, generation)
        if added_ids:
            entries.append(self._segment(segment, step, added_ids, keys))
        self.progress("segment", done, total)
        with self.lexical.writer() as writer:
            writer.delete(removed_ids)
            writer.add(LexicalRecord(*r) for r in self.store.lexical_records(added_ids))
            writer.commit()
        self.progress("lexical", done, total)
        updated = set(self.report.updated)
        change = {
            "kind": "update",
            "articles_added": sum(a.id not in updated for a, _ in step),
            "articles_updated": sum(a.id in updated for a, _ in step),
            "articles_removed": len(set(removed) - {a.id for a, _ in step}),
            "passages_added": len(added_ids),
            "passages_removed": len(removed_ids),
        }
        published = self.folder.publish(
            manifest.with_changes(generation=generation, segments=tuple(entries), change=change)
        )
        self.progress("published", done + len(added_ids), total)
        return published

    def _embed(
        self, step: list[tuple[Article, list[NewPassage]]], generation: int, done: int, total: int
    ) -> None:
        """Embed the step's passage texts whose vector is not stored yet, committing each
        batch as it comes (what a killed update already embedded is found next time)."""
        texts: dict[bytes, str] = {}
        for article, passages in step:
            for new in passages:
                texts.setdefault(new.hash, embedding_text(article.title, new.passage.text))
        known = self.store.known_hashes(texts)
        missing = [key for key in texts if key not in known]
        if self.donor is not None and missing:
            donated = self.donor.known_hashes(missing)
            vectors = self.donor.vectors(list(donated), self.settings["dimension"])
            self.store.put_vectors(list(donated), vectors, generation)
            missing = [key for key in missing if key not in donated]
        count = sum(len(passages) for _, passages in step)
        self.report.reused_passages += count - len(missing)
        embedded = done + count - len(missing)
        for batch, vectors in self.embedding.vectors(
            {key: texts[key] for key in missing}, EMBED_BATCH
        ):
            self.store.put_vectors(batch, vectors, generation)
            self.report.embedded_passages += len(batch)
            embedded += len(batch)
            self.progress("embedding", embedded, total)

    def _deletes(
        self, manifest: Manifest, removed_ids: list[int], generation: int
    ) -> list[SegmentEntry]:
        """The manifest's segments with `removed_ids` recorded in new deletes files (a
        segment left with no live passage is dropped)."""
        removed = np.asarray(removed_ids, dtype=np.int64)
        entries = (
            segments.with_deletions(
                self.folder.segment_folder(manifest.build, entry.name), entry, removed, generation
            )
            for entry in manifest.segments
        )
        return [entry for entry in entries if entry is not None]

    def _segment(
        self,
        name: str,
        step: list[tuple[Article, list[NewPassage]]],
        ids: list[int],
        keys: list[int],
    ) -> SegmentEntry:
        """Write the step's passages into the new segment `name`."""
        hashes = [new.hash for _, passages in step for new in passages]
        languages = [article.language for article, passages in step for _ in passages]
        vectors = self.store.vectors(hashes, self.settings["dimension"])
        factory = factory_for(len(ids), self.settings["faiss"])
        scratch = self.folder.scratch(self.target.build, "update")
        try:
            segments.write(
                scratch / name, np.array(ids), np.array(keys), np.array(languages), vectors, factory
            )
            self.folder.place_segment(self.target.build, name, scratch / name)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return SegmentEntry(name, len(ids), 0, None, factory)


def _steps(
    prepared: list[tuple[Article, list[NewPassage]]],
) -> Iterator[list[tuple[Article, list[NewPassage]]]]:
    """Consecutive groups of articles holding about STEP_PASSAGES passages each."""
    step: list[tuple[Article, list[NewPassage]]] = []
    count = 0
    for article, passages in prepared:
        step.append((article, passages))
        count += len(passages)
        if count >= STEP_PASSAGES:
            yield step
            step, count = [], 0
    if step:
        yield step


def collect(folder: IndexFolder, store: Store, build: str, unused_vectors: bool = False) -> None:
    """Collect the files and rows that no kept manifest of `build` can see; with
    unused_vectors, also vectors no passage uses (a full scan: merges do it)."""
    kept = folder.kept_manifests(build)
    if kept:
        store.collect(kept[0].generation)
        if unused_vectors:
            store.collect_unused_vectors(kept[0].generation)
    folder.collect(build)


def _write_failed(folder: IndexFolder, error: Exception) -> IndexWriteError:
    """The error for a generation that could not be written."""
    if isinstance(error, sqlite3.Error):  # "disk I/O error" says more with its code
        error = f"{error} ({getattr(error, 'sqlite_errorname', 'sqlite')})"
    current = folder.current_pointer()
    served = f"{current} is still the one served" if current else "there is no index yet"
    return IndexWriteError(
        f"Could not write the new index generation under {folder.root}: {error}; "
        f"{served}. Free some disk space or fix the folder's permissions, then update again"
    )
