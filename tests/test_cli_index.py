"""`qa index status`, `merge` and `check` through the CLI runner, on real indexes."""

import dataclasses

import numpy as np
from click.testing import CliRunner

from qa.cli import cli
from qa.index.lexical import LexicalIndex
from qa.index.writer import apply_changes
from qa.ingest.corpus import write_article


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_status_shows_segments_and_the_last_merge(site):
    corpus, index = site
    apply_changes(index, deletions=["asean-slom-17"])
    result = run("index", "status", "--index", str(index))
    assert result.exit_code == 0, result.output
    assert "generation:   2 (b-000001" in result.output
    assert "segments:     1, 4 passages written, 1 deleted (25.0%)" in result.output
    assert "  seg-000001: 4 passages, 1 deleted, Flat" in result.output
    assert "last merge:   -" in result.output

    result = run("index", "merge", "--all", "--index", str(index))
    assert "merged 1 segments into seg-000003 (3 passages, 1 deleted dropped)" in result.output
    result = run("index", "status", "--index", str(index))
    assert "segments:     1, 3 passages written, 0 deleted (0.0%)" in result.output
    assert "last merge:   {'generation': 3, 'merged': ['seg-000001']" in result.output
    assert run("index", "merge", "--index", str(index)).output == "nothing to merge\n"


def test_check_passes_then_names_what_is_wrong(site, small_articles):
    corpus, index = site
    result = run("index", "check", "--corpus", str(corpus), "--index", str(index))
    assert (result.exit_code, result.output) == (0, "index is consistent and holds the corpus\n")

    # The corpus moved on: an article edited and one added, not yet indexed.
    edited = small_articles["upah-minimum-2024"]
    edited = dataclasses.replace(edited, text=edited.text + " Buruh menilai kenaikan kurang.")
    write_article(edited, corpus)
    (corpus / "baru.md").write_text("---\nid: baru\ntitle: Baru\n---\n\nTeks baru.\n")
    result = run("index", "check", "--corpus", str(corpus), "--index", str(index))
    assert result.exit_code == 1
    assert "article 'upah-minimum-2024' is indexed as an older version" in result.output
    assert "article 'baru' of the corpus is not indexed" in result.output
    assert run("index", "check", "--no-corpus", "--index", str(index)).exit_code == 0

    # The lexical engine lost a live passage: the index itself is broken.
    lexical = LexicalIndex(index / "b-000001" / "lexical")
    victim = int(lexical.searcher().all_ids()[0])
    with lexical.writer() as writer:
        writer.delete([victim])
        writer.commit()
    result = run("index", "check", "--no-corpus", "--index", str(index))
    assert result.exit_code == 1
    assert f"1 live passages are not in the lexical index: {np.array([victim])}" in result.output

    # A segment file gone.
    (index / "b-000001" / "segments" / "seg-000001" / "vectors.faiss").unlink()
    result = run("index", "check", "--no-corpus", "--index", str(index))
    assert result.exit_code == 1 and "segment seg-000001: cannot be read" in result.output


def test_check_of_a_missing_index_is_one_clean_line(tmp_path):
    result = CliRunner().invoke(cli, ["index", "check", "--no-corpus", "--index", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: No index at") and "Traceback" not in result.output
