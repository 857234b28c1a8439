"""Bad files each give a clear problem naming the file (and line); every other article is read."""

import json

import pytest

from qa.articles import Article
from qa.ingest.corpus import scan_corpus
from qa.ingest.readers import Problem, read_file

GOOD_MD = "---\nid: good\ntitle: Baik\n---\n\nArtikel yang baik tentang upah minimum.\n"


def problems_of(path):
    items = list(read_file(path))
    return [item for item in items if isinstance(item, Problem)], [
        item for item in items if isinstance(item, Article)
    ]


def test_cp1252_file_is_read_with_a_warning(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes("Judul Berita\n“Pekerja migran” dilindungi, kata Menaker.\n".encode("cp1252"))
    problems, (article,) = problems_of(path)
    assert "“Pekerja migran” dilindungi" in article.text
    (warning,) = problems
    assert warning.level == "warning" and warning.path == str(path)
    assert "not valid UTF-8" in warning.message and "cp1252" in warning.message


def test_latin1_when_cp1252_cannot(tmp_path):
    path = tmp_path / "latin.md"
    path.write_bytes(b"---\ntitle: Caf\xe9\n---\n\nTeks \x81 aneh.\n")  # 0x81: not in cp1252
    problems, (article,) = problems_of(path)
    assert article.title == "Café"
    assert "latin-1" in problems[0].message


def test_utf16_with_bom_is_text_not_binary(tmp_path):
    path = tmp_path / "utf16.md"
    path.write_bytes("---\ntitle: Judul\n---\n\nIsi artikel.\n".encode("utf-16"))
    problems, (article,) = problems_of(path)
    assert (problems, article.text) == ([], "Isi artikel.")


@pytest.mark.parametrize(
    "name", ["empty.md", "empty.txt", "empty.html", "empty.json", "empty.jsonl"]
)
@pytest.mark.parametrize("content", [b"", b"  \n\n \n"])
def test_empty_files(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    (problem,), articles = problems_of(path)
    assert articles == []
    assert (problem.path, problem.level) == (str(path), "error")
    assert "empty" in problem.message


@pytest.mark.parametrize("name", ["photo.md", "dump.txt", "page.html", "x.json", "x.jsonl"])
def test_binary_files(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (problem,), articles = problems_of(path)
    assert articles == []
    assert problem.level == "error" and "binary" in problem.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\ntitle: Judul\n\nIsi tanpa penutup.\n", 1, "never closed"),
        ("---\ntitle: Judul\nsource: [Suara\n---\n\nIsi.\n", 3, "broken YAML"),
        ('---\ntitle: "Judul\n---\n\nIsi.\n', 2, "broken YAML"),
        ("---\n- a\n- b\n---\n\nIsi.\n", 2, "mapping"),
        ("---\ntitle: Judul\n---\n\n", None, "no article text"),
        ("---\nid: bad/id\n---\n\nIsi.\n", None, "not safe"),
        ("---\nlanguage: fr\n---\n\nIsi.\n", None, "language"),
    ],
)
def test_broken_front_matter(tmp_path, text, line, message):
    path = tmp_path / "broken.md"
    path.write_text(text, encoding="utf-8")
    (problem,), articles = problems_of(path)
    assert articles == []
    assert (problem.path, problem.line, problem.level) == (str(path), line, "error")
    assert message in problem.message


@pytest.mark.parametrize("value", ["2023-02-30", "2023-13-01", "31/2/2023", "30 Februari 2023"])
def test_impossible_dates(tmp_path, value):
    path = tmp_path / "date.md"
    path.write_text(f"---\ntitle: Judul\npublished: {value}\n---\n\nIsi.\n", encoding="utf-8")
    (problem,), articles = problems_of(path)
    assert articles == []
    assert "not a real date" in problem.message and value in problem.message


def test_not_a_date(tmp_path):
    path = tmp_path / "date.md"
    path.write_text("---\ntitle: Judul\npublished: kemarin\n---\n\nIsi.\n", encoding="utf-8")
    (problem,), _ = problems_of(path)
    assert "is not a date" in problem.message


def test_impossible_date_in_jsonl_costs_only_its_line(tmp_path):
    path = tmp_path / "bulk.jsonl"
    rows = [
        {"id": "a", "text": "Satu.", "published": "2023-02-30"},
        {"id": "b", "text": "Dua.", "published": "2023-02-28"},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    (problem,), (article,) = problems_of(path)
    assert (problem.line, article.id) == (1, "b")
    assert "published" in problem.message


def test_jsonl_line_that_is_not_json(tmp_path):
    path = tmp_path / "bulk.jsonl"
    path.write_bytes(
        b'{"id": "a", "text": "Satu."}\nthis is not json\n{"id": "b", "text": "Dua."}\n'
    )
    (problem,), articles = problems_of(path)
    assert [a.id for a in articles] == ["a", "b"]
    assert (problem.path, problem.line) == (str(path), 2)
    assert str(problem) == f"error: {path}:2: not valid JSON (Expecting value, column 1)"


def test_cp1252_line_in_jsonl(tmp_path):
    path = tmp_path / "bulk.jsonl"
    path.write_bytes(b'{"id": "a", "text": "Caf\xe9 buka."}\n{"id": "b", "text": "Dua."}\n')
    (problem,), articles = problems_of(path)
    assert [a.text for a in articles] == ["Café buka.", "Dua."]
    assert (problem.line, problem.level) == (1, "warning")


def test_broken_json_names_its_line(tmp_path):
    path = tmp_path / "bulk.json"
    path.write_text('[\n  {"id": "a", "text": "Satu."},\n  {"id": "b",\n]\n', encoding="utf-8")
    (problem,), articles = problems_of(path)
    assert articles == [] and problem.line == 4


def test_page_of_nothing_but_furniture(tmp_path):
    path = tmp_path / "sidebar.txt"
    path.write_text("Terpopuler\n- Judul Satu\n- Judul Dua\nAdvertisement\n", encoding="utf-8")
    (problem,), articles = problems_of(path)
    assert articles == [] and "no article text" in problem.message


def test_html_without_article_text(tmp_path):
    path = tmp_path / "blank.html"
    path.write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    (problem,), articles = problems_of(path)
    assert articles == [] and problem.level == "error"


def test_one_corpus_with_every_kind_of_bad_file(tmp_path):
    (tmp_path / "good.md").write_text(GOOD_MD, encoding="utf-8")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "broken.md").write_text("---\ntitle: [\n---\nIsi.\n", encoding="utf-8")
    (tmp_path / "date.md").write_text("---\npublished: 2023-02-30\n---\nIsi.\n", encoding="utf-8")
    (tmp_path / "windows.txt").write_bytes("Judul\nIsi “berita” baru.\n".encode("cp1252"))
    (tmp_path / "bulk.jsonl").write_text('{"id": "j1", "text": "Teks j1."}\n{oops\n', "utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / ".hidden.md").write_text(GOOD_MD.replace("good", "hidden"), encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.md").write_text(GOOD_MD.replace("good", "git"), encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "deep.md").write_text(GOOD_MD.replace("good", "deep").replace("baik", "dalam"), "utf-8")

    scan = scan_corpus(tmp_path)

    assert sorted(scan.articles) == ["deep", "good", "j1", "windows"]
    found = sorted((p.level, p.path.removeprefix(f"{tmp_path}/"), p.line) for p in scan.problems)
    assert found == [
        ("error", "binary.txt", None),
        ("error", "broken.md", 2),
        ("error", "bulk.jsonl", 2),
        ("error", "date.md", None),
        ("error", "empty.md", None),
        ("note", "notes.pdf", None),
        ("warning", "windows.txt", None),
    ]
