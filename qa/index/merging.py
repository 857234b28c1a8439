"""Merging segments in the background, tiered by size, preferring segments with deletions.

Every update adds a small segment, and a query searches every live segment, so segments are
merged as they pile up. Segments fall into tiers by their live size (below `FLOOR` passages,
below FLOOR·FACTOR, ...); when a tier holds `FACTOR` segments they are merged into one of the
next tier, so an index of n passages keeps O(FACTOR·log n) segments and each passage is
rewritten O(log n) times, as in Lucene's TieredMergePolicy. A segment whose deleted share
reaches `EXPUNGE_SHARE` is rewritten without its deleted passages on its own (when it has at
least FLOOR passages; smaller ones go with their tier), and within a tier the segments with
the most deletions go first.

A merge reads the live passages of the segments it picks from a published manifest, writes
the merged segment without holding the writer lock (updates go on meanwhile), then takes the
lock only to publish: passages deleted in the picked segments since it started are recorded
as deletions of the merged one. Killed at any point, the manifest before it still serves and
the next writer collects its scratch folder.
"""

import math
import shutil
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.index import segments
from qa.index.folder import STORE_FILE, IndexFolder
from qa.index.manifest import Manifest, SegmentEntry
from qa.index.progress import Progress, silent
from qa.index.store import Store
from qa.index.vectors import factory_for
from qa.index.writer import collect

FLOOR = 1_000  # passages: segments smaller than this count as this size
FACTOR = 8  # segments per tier before they are merged
EXPUNGE_SHARE = 0.3  # deleted share that has a segment rewritten on its own


@dataclass
class MergeReport:
    generation: int
    merged: list[str]
    into: str
    passages: int  # live passages written into the merged segment
    dropped: int  # deleted passages left behind
    seconds: float

    def describe(self) -> dict:
        return {
            "generation": self.generation,
            "merged": self.merged,
            "into": self.into,
            "passages": self.passages,
            "dropped_deleted": self.dropped,
            "seconds": round(self.seconds, 3),
            "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }


def tier(entry: SegmentEntry) -> int:
    return int(math.log(max(entry.live, FLOOR) / FLOOR, FACTOR))


def choose(entries: tuple[SegmentEntry, ...], everything: bool = False) -> list[SegmentEntry]:
    """The segments to merge next (none when the index is in shape)."""
    if everything:
        worth = len(entries) > 1 or any(entry.deleted for entry in entries)
        return list(entries) if worth else []
    by_deletions = sorted(entries, key=lambda e: e.deleted / max(e.passages, 1), reverse=True)
    for entry in by_deletions:  # small segments go with their tier instead
        if entry.passages >= FLOOR and entry.deleted >= EXPUNGE_SHARE * entry.passages:
            return [entry]
    tiers: dict[int, list[SegmentEntry]] = {}
    for entry in by_deletions:
        tiers.setdefault(tier(entry), []).append(entry)
    for number in sorted(tiers):
        if len(tiers[number]) >= FACTOR:
            return tiers[number][:FACTOR]
    return []


def merge_segments(
    index_dir: Path, everything: bool = False, progress: Progress = silent
) -> MergeReport | None:
    """Merge what the policy picks (with everything=True, all segments into one) and publish
    the result; None when there was nothing to merge."""
    started = time.perf_counter()
    folder = IndexFolder(index_dir)
    base = folder.current()
    picked = choose(base.segments, everything)
    if not picked:
        return None
    scratch = folder.scratch(base.build, "merge")
    try:
        written, dropped = _write_merged(folder, base, picked, scratch, progress)
        progress("merge-written", written, written)
        with folder.writer():
            report = _publish(folder, base, picked, scratch, written, dropped)
            if report is not None:
                progress("merge-published", written, written)
                with closing(Store(folder.build_folder(base.build) / STORE_FILE)) as store:
                    collect(folder, store, base.build, unused_vectors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if report is not None:
        report.seconds = time.perf_counter() - started
    return report


def _write_merged(
    folder: IndexFolder,
    base: Manifest,
    picked: list[SegmentEntry],
    scratch: Path,
    progress: Progress,
) -> tuple[int, int]:
    """Write the live passages of `picked` into `scratch/merged`; return (written, dropped)."""
    ids, keys, languages = [], [], []
    dropped = 0
    for entry in picked:
        segment = segments.Segment.open(folder.segment_folder(base.build, entry.name))
        live = segments.LiveSegment.of(
            segment, segments.read_deletes(segment.folder, entry.deletes)
        ).live
        ids.append(np.asarray(segment.ids[live]))
        keys.append(np.asarray(segment.article_keys[live]))
        languages.append(np.asarray(segment.languages[live]))
        dropped += int((~live).sum())
    all_ids = np.concatenate(ids)
    progress("merging", 0, len(all_ids))
    with closing(Store(folder.build_folder(base.build) / STORE_FILE, readonly=True)) as store:
        vectors = store.passage_vectors(all_ids, base.settings["dimension"])
    factory = factory_for(len(all_ids), base.settings["faiss"])
    segments.write(
        scratch / "merged",
        all_ids,
        np.concatenate(keys),
        np.concatenate(languages),
        vectors,
        factory,
    )
    return len(all_ids), dropped


def _publish(
    folder: IndexFolder,
    base: Manifest,
    picked: list[SegmentEntry],
    scratch: Path,
    written: int,
    dropped: int,
) -> MergeReport | None:
    """Under the lock: swap the merged segment in for `picked` in the current manifest."""
    current = folder.current()
    entries = {entry.name: entry for entry in current.segments}
    if current.build != base.build or any(entry.name not in entries for entry in picked):
        return None  # the index moved on under the merge (a rebuild): nothing to publish
    generation = current.generation + 1
    name = f"seg-{generation:06d}"
    target = folder.place_segment(current.build, name, scratch / "merged")
    deleted_since = [
        np.setdiff1d(
            segments.read_deletes(target.parent / e.name, entries[e.name].deletes),
            segments.read_deletes(target.parent / e.name, e.deletes),
        )
        for e in picked
    ]
    deleted = np.concatenate(deleted_since)
    deletes = segments.write_deletes(target, generation, deleted) if len(deleted) else None
    factory = factory_for(written, current.settings["faiss"])
    merged = SegmentEntry(name, written, len(deleted), deletes, factory)
    names = {entry.name for entry in picked}
    report = MergeReport(generation, sorted(names), name, written, dropped, 0.0)
    kept = tuple(entry for entry in current.segments if entry.name not in names)
    folder.publish(
        current.with_changes(
            generation=generation,
            segments=(*kept, merged),
            change={"kind": "merge", "merged": len(names), "passages": written},
            last_merge=report.describe(),
        )
    )
    return report
