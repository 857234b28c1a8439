"""The corpus folder: repeated ids and copied texts when scanning, and writes that lose nothing."""

import json
import threading
from datetime import date
from pathlib import Path

import pytest

from qa.articles import Article
from qa.errors import IngestError
from qa.ingest.corpus import remove_article, scan_corpus, write_article

REPO = Path(__file__).resolve().parents[1]

SHIPPED = {
    "indoposco-2024-05-13-jica-koica-ilo": ("Indoposco.id", date(2024, 5, 13)),
    "liputan6-2023-11-02-itc-ilo-geneva": ("Liputan6.com", date(2023, 11, 2)),
    "rmol-2021-09-10-asean-slom-17": ("Rmol.id", date(2021, 9, 10)),
    "suara-2020-10-27-asean-slom-plus-three": ("Suara.com", date(2020, 10, 27)),
    "tribunnews-2023-07-21-indonesia-korea-osh": ("Tribunnews.com", date(2023, 7, 21)),
}


def md(article_id: str, text: str, title: str = "Judul") -> str:
    return f"---\nid: {article_id}\ntitle: {title}\n---\n\n{text}\n"


def jsonl(*rows: dict) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


def test_shipped_corpus_loads():
    scan = scan_corpus(REPO / "corpus")
    assert scan.problems == []
    assert sorted(scan.articles) == sorted(SHIPPED)
    for article_id, (source, published) in SHIPPED.items():
        article = scan.articles[article_id]
        assert (article.source, article.published, article.language) == (source, published, "id")
        assert article.title and len(article.text) > 1500
        assert article.url is None


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(IngestError, match="not found"):
        scan_corpus(tmp_path / "nope")


def test_the_same_text_under_another_id_is_another_article(tmp_path):
    """Each id is its own article: a copy of a text is kept (the index files it under the
    same story), never dropped as a duplicate."""
    (tmp_path / "a.md").write_text(md("a", "Teks yang sama persis."), encoding="utf-8")
    (tmp_path / "b.txt").write_text("Judul Lain\nTeks yang sama persis.\n", encoding="utf-8")
    scan = scan_corpus(tmp_path)
    assert list(scan.articles) == ["a", "b"]
    assert scan.articles["a"].text == scan.articles["b"].text == "Teks yang sama persis."
    assert scan.problems == []


def test_same_id_with_new_text_is_an_update(tmp_path):
    (tmp_path / "a.md").write_text(md("x", "Versi lama."), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(
        jsonl({"id": "y", "text": "Lain."}, {"id": "x", "text": "Versi baru."}), encoding="utf-8"
    )
    scan = scan_corpus(tmp_path)
    assert list(scan.articles) == ["x", "y"]  # x keeps its place
    assert scan.articles["x"].text == "Versi baru."
    (problem,) = scan.problems
    assert (problem.path, problem.line, problem.level) == (str(tmp_path / "b.jsonl"), 2, "warning")
    assert "replaces" in problem.message


def test_same_id_with_a_new_title_is_an_update_by_the_later_line(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        jsonl(
            {"id": "x", "title": "Lama", "text": "Sama."},
            {"id": "x", "title": "Baru", "text": "Sama."},
        ),
        encoding="utf-8",
    )
    scan = scan_corpus(tmp_path)
    assert scan.articles["x"].title == "Baru" and scan.articles["x"].path.endswith(":2")
    (problem,) = scan.problems
    assert problem.line == 2 and "replaces the one in" in problem.message


def test_same_article_twice_is_reported_once(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        jsonl({"id": "x", "text": "Sama."}, {"id": "x", "text": "Sama."}), encoding="utf-8"
    )
    scan = scan_corpus(tmp_path)
    assert list(scan.articles) == ["x"] and scan.articles["x"].path.endswith(":1")
    (problem,) = scan.problems
    assert problem.line == 2 and "already read" in problem.message


def test_an_update_may_copy_another_article(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        jsonl(
            {"id": "x", "text": "Satu."},
            {"id": "y", "text": "Dua."},
            {"id": "x", "text": "Dua."},
        ),
        encoding="utf-8",
    )
    scan = scan_corpus(tmp_path)
    assert {k: a.text for k, a in scan.articles.items()} == {"x": "Dua.", "y": "Dua."}
    (problem,) = scan.problems
    assert problem.line == 3 and "replaces" in problem.message


def article(article_id: str = "baru", text: str = "Isi artikel baru.", **fields) -> Article:
    return Article(id=article_id, title="Judul Baru", text=text, source="Suara.com", **fields)


def test_write_new_article_round_trips(tmp_path):
    folder = tmp_path / "corpus"
    new = article(url="https://suara.com/x", published=date(2024, 6, 7))
    path = write_article(new, folder)
    assert path == folder / "baru.md"
    assert path.read_text(encoding="utf-8") == (
        "---\nid: baru\ntitle: Judul Baru\nsource: Suara.com\nurl: https://suara.com/x\n"
        "published: 2024-06-07\n---\n\nIsi artikel baru.\n"
    )
    scan = scan_corpus(folder)
    assert scan.articles == {"baru": Article(**{**new.__dict__, "path": str(path)})}
    assert [p.name for p in folder.iterdir()] == ["baru.md"]  # no temporary file left


def test_write_updates_in_place(tmp_path):
    sub = tmp_path / "2024"
    sub.mkdir()
    (sub / "old-name.md").write_text(md("baru", "Versi lama."), encoding="utf-8")
    (tmp_path / "other.md").write_text(md("other", "Artikel lain."), encoding="utf-8")
    path = write_article(article(text="Versi baru."), tmp_path)
    assert path == sub / "old-name.md"
    scan = scan_corpus(tmp_path)
    assert {k: a.text for k, a in scan.articles.items()} == {
        "baru": "Versi baru.",
        "other": "Artikel lain.",
    }


def test_write_moves_an_article_out_of_a_bulk_file(tmp_path):
    bulk = tmp_path / "bulk.jsonl"
    lines = [
        b'{"id": "a", "text": "Satu."}\n',
        b'{"id": "baru", "text": "Versi lama."}\n',
        b"not json, kept as it was\n",
        b'{"id": "c", "text": "Caf\xe9."}\n',  # cp1252, kept byte for byte
    ]
    bulk.write_bytes(b"".join(lines))
    write_article(article(text="Versi baru."), tmp_path)
    assert bulk.read_bytes() == b"".join(lines[:1] + lines[2:])
    scan = scan_corpus(tmp_path)
    assert sorted(scan.articles) == ["a", "baru", "c"]
    assert scan.articles["baru"].text == "Versi baru."


def test_write_replaces_a_scraped_page(tmp_path):
    (tmp_path / "baru.txt").write_text("Judul\nVersi lama dari halaman.\n", encoding="utf-8")
    write_article(article(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baru.md"]


def test_write_never_overwrites_another_article(tmp_path):
    (tmp_path / "baru.md").write_text(md("someone-else", "Artikel lain."), encoding="utf-8")
    path = write_article(article(), tmp_path)
    assert path == tmp_path / "baru-2.md"
    assert sorted(scan_corpus(tmp_path).articles) == ["baru", "someone-else"]


@pytest.mark.parametrize("bad_id", ["", "a/b", "../etc", "with space"])
def test_write_refuses_unsafe_ids(tmp_path, bad_id):
    with pytest.raises(IngestError, match="not a usable article id"):
        write_article(article(bad_id), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_remove_single_article_file(tmp_path):
    (tmp_path / "a.md").write_text(md("a", "Satu."), encoding="utf-8")
    (tmp_path / "page.txt").write_text("Judul\nDua.\n", encoding="utf-8")
    assert remove_article("a", tmp_path) is True
    assert remove_article("page", tmp_path) is True
    assert list(tmp_path.iterdir()) == []


def test_remove_from_bulk_files(tmp_path):
    bulk = tmp_path / "bulk.jsonl"
    bulk.write_text(
        jsonl({"id": "a", "text": "Satu."}, {"url": "https://x.id/dua", "text": "Dua."}),
        encoding="utf-8",
    )
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([{"id": "c", "text": "Tiga."}, {"id": "d", "text": "Empat."}]))
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"id": "e", "text": "Lima."}))

    assert remove_article("x.id-dua", tmp_path) is True
    assert bulk.read_text(encoding="utf-8") == jsonl({"id": "a", "text": "Satu."})
    assert remove_article("c", tmp_path) is True
    assert json.loads(listed.read_text(encoding="utf-8")) == [{"id": "d", "text": "Empat."}]
    assert remove_article("e", tmp_path) is True
    assert not single.exists()
    assert remove_article("a", tmp_path) is True
    assert not bulk.exists()  # no record left
    assert sorted(scan_corpus(tmp_path).articles) == ["d"]


def test_remove_unknown(tmp_path):
    (tmp_path / "a.md").write_text(md("a", "Satu."), encoding="utf-8")
    assert remove_article("nope", tmp_path) is False
    assert remove_article("a", tmp_path / "missing") is False
    assert sorted(scan_corpus(tmp_path).articles) == ["a"]


def test_concurrent_removals_from_one_bulk_file_lose_nothing(tmp_path):
    bulk = tmp_path / "bulk.jsonl"
    bulk.write_text(jsonl(*({"id": f"r{n}", "text": f"Teks {n}."} for n in range(12))), "utf-8")
    threads = [
        threading.Thread(target=remove_article, args=(f"r{n}", tmp_path)) for n in range(0, 12, 2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(scan_corpus(tmp_path).articles) == sorted(f"r{n}" for n in range(1, 12, 2))
