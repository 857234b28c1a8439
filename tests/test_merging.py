"""The merge policy, and merges on a real index: deletions made while a merge runs survive it."""

import dataclasses
import shutil
from contextlib import closing
from pathlib import Path

import numpy as np

from qa.index.check import check_index
from qa.index.folder import IndexFolder
from qa.index.manifest import SegmentEntry
from qa.index.merging import EXPUNGE_SHARE, FACTOR, FLOOR, choose, merge_segments
from qa.index.reader import Index
from qa.index.writer import apply_changes


def entry(name: str, passages: int, deleted: int = 0) -> SegmentEntry:
    return SegmentEntry(name, passages, deleted, None, "Flat")


def test_segments_below_a_full_tier_are_left_alone():
    assert choose(()) == []
    small = tuple(entry(f"s{n}", 3) for n in range(FACTOR - 1))
    assert choose(small) == []
    assert choose((entry("big", 100 * FLOOR), *small)) == []


def test_a_full_tier_is_merged_smallest_tier_first():
    small = tuple(entry(f"s{n}", 5 + n) for n in range(FACTOR))
    middle = tuple(entry(f"m{n}", FLOOR * FACTOR + n) for n in range(FACTOR))
    picked = choose((entry("big", 100 * FLOOR), *middle, *small))
    assert sorted(e.name for e in picked) == sorted(e.name for e in small)
    assert sorted(e.name for e in choose(middle)) == sorted(e.name for e in middle)


def test_deletions_get_a_segment_rewritten_and_go_first_in_a_tier():
    heavy = entry("heavy", 10 * FLOOR, deleted=int(EXPUNGE_SHARE * 10 * FLOOR))
    assert choose((entry("clean", 50 * FLOOR), heavy)) == [heavy]
    light = entry("light", 10 * FLOOR, deleted=10)
    assert choose((entry("clean", 50 * FLOOR), light)) == []
    tier = [entry(f"t{n}", 20, deleted=n) for n in range(FACTOR + 2)]
    picked = {e.name for e in choose(tuple(tier))}
    assert picked == {f"t{n}" for n in range(2, FACTOR + 2)}  # the most deleted ones


def test_everything_merges_all_or_nothing():
    assert choose((entry("only", 10),), everything=True) == []
    assert len(choose((entry("only", 10, deleted=1),), everything=True)) == 1
    assert len(choose((entry("a", 10), entry("b", 10)), everything=True)) == 2


def test_deletions_made_while_a_merge_runs_are_kept(built_index_dir, small_articles, tmp_path):
    index_dir = Path(shutil.copytree(built_index_dir, tmp_path / "index"))
    extra = dataclasses.replace(small_articles["asean-slom-17"], id="asean-copy", title="Salinan")
    apply_changes(index_dir, upserts=[extra])
    deleted_during: list[str] = []

    def delete_meanwhile(stage: str, done: int, total: int) -> None:
        if stage == "merge-written":  # the merged segment is written; the lock is not held
            apply_changes(index_dir, deletions=["upah-minimum-2024"], wait=False)
            deleted_during.append("upah-minimum-2024")

    report = merge_segments(index_dir, everything=True, progress=delete_meanwhile)
    assert deleted_during and report.generation == 4 and report.passages == 5
    manifest = IndexFolder(index_dir).current()
    (merged,) = manifest.segments
    assert (merged.passages, merged.deleted) == (5, 1)
    assert manifest.last_merge["merged"] == ["seg-000001", "seg-000002"]
    assert check_index(index_dir) == []
    with closing(Index.load(index_dir)) as index:
        live = index.segments.live_ids()
        articles = {p.article_id for p in index.store.passages(live).values()}
        assert articles == set(small_articles) - {"upah-minimum-2024"} | {"asean-copy"}
        assert len(np.unique(live)) == 4
