"""Each reader on a small realistic file: Markdown, saved HTML, JSON Lines (streamed), JSON."""

import inspect
import json
from datetime import date

import pytest

from qa.articles import Article
from qa.ingest.readers import Problem, file_ids, read_file
from qa.ingest.readers.html import without_site_name
from qa.ingest.readers.markdown import render_markdown
from qa.ingest.readers.records import id_from_url, read_jsonl


def split(items):
    """(articles, problems) from a reader's output."""
    items = list(items)
    return (
        [item for item in items if isinstance(item, Article)],
        [item for item in items if isinstance(item, Problem)],
    )


MARKDOWN = """---
id: kemnaker-vokasi-2023
title: "Kemnaker: Pelatihan Vokasi Diperluas"
source: Liputan6.com
url: https://www.liputan6.com/bisnis/read/1/kemnaker-vokasi
published: 2023-11-02
---

Kementerian Ketenagakerjaan memperluas pelatihan vokasi bagi pencari kerja.

"Kami ingin lulusan langsung terserap industri," kata Menaker.
"""


def test_markdown(tmp_path):
    path = tmp_path / "vokasi.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    (article,) = read_file(path)
    assert article.id == "kemnaker-vokasi-2023"
    assert article.title == "Kemnaker: Pelatihan Vokasi Diperluas"
    assert article.source == "Liputan6.com"
    assert article.url == "https://www.liputan6.com/bisnis/read/1/kemnaker-vokasi"
    assert article.published == date(2023, 11, 2)
    assert article.language == "id"
    assert article.path == str(path)
    assert article.text.startswith("Kementerian Ketenagakerjaan")
    assert article.text.endswith("kata Menaker.")


def test_markdown_round_trip(tmp_path):
    original = Article(
        id="x-1",
        title='Judul: "kutipan" & #tanda',
        text="Teks berita.\n\nParagraf kedua.",
        source="Suara.com",
        published=date(2020, 10, 27),
        language="en",  # not what detection says: written to the front matter
    )
    path = tmp_path / "x-1.md"
    path.write_text(render_markdown(original), encoding="utf-8")
    (article,) = read_file(path)
    assert article == Article(**{**original.__dict__, "path": str(path)})
    assert "language: en" in path.read_text(encoding="utf-8")


def test_markdown_without_front_matter(tmp_path):
    path = tmp_path / "Catatan Rapat.md"
    path.write_text("# Rapat Koordinasi\n\nRapat membahas upah minimum.\n", encoding="utf-8")
    articles, problems = split(read_file(path))
    assert [(a.id, a.title, a.text) for a in articles] == [
        ("Catatan-Rapat", "Rapat Koordinasi", "Rapat membahas upah minimum.")
    ]
    assert [p.level for p in problems] == ["warning"]


HTML = """<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<title>Kemnaker Dorong Pelatihan Vokasi - Liputan6.com</title>
<meta property="og:title" content="Kemnaker Dorong Pelatihan Vokasi bagi Pencari Kerja">
<meta property="og:site_name" content="Liputan6.com">
<meta property="article:published_time" content="2023-11-02T10:15:00+07:00">
<link rel="canonical" href="https://www.liputan6.com/bisnis/read/5440000/kemnaker-vokasi">
</head><body>
<nav><a href="/">Home</a> <a href="/bisnis">Bisnis</a> <a href="/news">News</a></nav>
<article><h1>Kemnaker Dorong Pelatihan Vokasi bagi Pencari Kerja</h1>
<p>Liputan6.com, Jakarta - Kementerian Ketenagakerjaan terus mendorong pelatihan vokasi bagi
para pencari kerja di seluruh Indonesia agar siap memasuki pasar kerja.</p>
<p>Baca Juga: Menaker Buka Job Fair Nasional 2023</p>
<p>Sekretaris Jenderal Kemnaker Anwar Sanusi mengatakan pelatihan vokasi menjadi kunci untuk
menjembatani kesenjangan keterampilan antara tenaga kerja dan kebutuhan industri.</p>
<p>"Kami ingin lulusan pelatihan langsung terserap oleh dunia usaha dan dunia industri," ujar
Anwar di Jakarta, Kamis (2/11/2023).</p>
</article>
<aside><h3>Terpopuler</h3><ul><li><a href="/a">Harga Emas Hari Ini Naik Lagi</a></li>
<li><a href="/b">Daftar UMP 2024 Seluruh Provinsi</a></li></ul></aside>
<footer>Copyright 2023 Liputan6.com. All rights reserved.</footer>
</body></html>
"""


def test_html(tmp_path):
    path = tmp_path / "liputan6-vokasi.html"
    path.write_text(HTML, encoding="utf-8")
    (article,) = read_file(path)
    assert article.id == "liputan6-vokasi"
    assert article.title == "Kemnaker Dorong Pelatihan Vokasi bagi Pencari Kerja"
    assert article.source == "Liputan6.com"
    assert article.published == date(2023, 11, 2)
    assert article.url == "https://www.liputan6.com/bisnis/read/5440000/kemnaker-vokasi"
    assert article.text.startswith("Kementerian Ketenagakerjaan terus mendorong")
    assert article.text.endswith("Kamis (2/11/2023).")
    for junk in ("Baca Juga", "Harga Emas", "Copyright", "Home", "Liputan6.com, Jakarta"):
        assert junk not in article.text


def record(number, **extra):
    return {
        "id": f"bulk-{number}",
        "title": f"Berita nomor {number}",
        "text": f"Isi berita nomor {number} tentang ketenagakerjaan di Indonesia.",
        "source": "Antara",
        "published": "2024-01-15",
        **extra,
    }


def test_jsonl_streams_thousands_and_survives_a_bad_line(tmp_path):
    path = tmp_path / "bulk.jsonl"
    lines = [json.dumps(record(number)) for number in range(1, 5001)]
    lines[2499] = '{"id": "broken", "text": '  # line 2500
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert inspect.isgeneratorfunction(read_jsonl)
    items = read_file(path)
    first = next(items)
    assert first.id == "bulk-1" and first.path == f"{path}:1"
    with path.open("a", encoding="utf-8") as handle:  # only a stream sees a line added now
        handle.write(json.dumps(record(5001)) + "\n")
    articles, problems = split(items)
    articles.insert(0, first)

    assert len(articles) == 5000
    assert articles[-1].id == "bulk-5001"
    assert articles[2498].path == f"{path}:2499" and articles[2499].path == f"{path}:2501"
    assert articles[0].published == date(2024, 1, 15)
    (problem,) = problems
    assert (problem.path, problem.line, problem.level) == (str(path), 2500, "error")
    assert "not valid JSON" in problem.message


def test_jsonl_ids_without_explicit_id(tmp_path):
    path = tmp_path / "mixed.jsonl"
    rows = [
        {"url": "https://www.suara.com/news/2020/10/27/kerja-sama-asean", "text": "Teks satu."},
        {"title": "Judul Tanpa URL", "published": "2021-09-10", "text": "Teks dua."},
        {"text": "Teks tiga tanpa apa-apa."},
        {},
        ["not", "an", "object"],
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n\n", encoding="utf-8")
    articles, problems = split(read_file(path))
    assert [a.id for a in articles] == [
        "suara.com-news-2020-10-27-kerja-sama-asean",
        "judul-tanpa-url-2021-09-10",
        "mixed-3",
    ]
    assert articles[2].title == "Teks tiga tanpa apa-apa"
    assert [(p.line, p.level) for p in problems] == [(3, "warning"), (4, "error"), (5, "error")]
    assert file_ids(path) == [a.id for a in articles]


def test_id_from_long_url_stays_short_and_distinct():
    base = "https://example.com/" + "sangat-panjang-" * 20
    first, second = id_from_url(base + "satu"), id_from_url(base + "dua")
    assert first != second and len(first) <= 100 and len(second) <= 100


def test_json_object_and_list(tmp_path):
    single = tmp_path / "one.json"
    single.write_text(json.dumps(record(1, id=None)), encoding="utf-8")
    (article,) = read_file(single)
    assert (article.id, article.path) == ("berita-nomor-1-2024-01-15", str(single))

    many = tmp_path / "many.json"
    many.write_text(json.dumps([record(1), {"title": "no text"}, record(2)]), encoding="utf-8")
    articles, problems = split(read_file(many))
    assert [(a.id, a.path) for a in articles] == [
        ("bulk-1", f"{many}#1"),
        ("bulk-2", f"{many}#3"),
    ]
    (problem,) = problems
    assert problem.message == "item 2: record has no 'text'"


@pytest.mark.parametrize("name", ["notes.pdf", "image.png", "data.csv"])
def test_unknown_file_types_are_a_note(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"whatever")
    (problem,) = read_file(path)
    assert problem.level == "note" and "skipped" in problem.message


@pytest.mark.parametrize(
    ("title", "names", "headline"),
    [
        ("Menhub Bocorkan Harga Tiket - Kompas.com", ["KOMPAS.com"], "Menhub Bocorkan Harga Tiket"),
        ("Ini 7 Alasan Malas Bergerak | Tempo Gaya", ["Tempo Gaya"], "Ini 7 Alasan Malas Bergerak"),
        ("Saat pengadilan bertemu - ANTARA News", ["Antara News"], "Saat pengadilan bertemu"),
        ("Jokowi - Prabowo Bertemu - detik.com", [], "Jokowi - Prabowo Bertemu"),
        ("Jokowi - Prabowo Bertemu", ["Detikcom"], "Jokowi - Prabowo Bertemu"),
        ("Polres Serahkan Berkas - Kompas.com Regional", ["KOMPAS.com"], "Polres Serahkan Berkas"),
        (
            "KapanLagi.com: Brandon Salim Makin Dekat",
            ["KapanLagi.com"],
            "Brandon Salim Makin Dekat",
        ),
    ],
)
def test_page_title_without_the_site_name(title, names, headline):
    assert without_site_name(title, names) == headline
