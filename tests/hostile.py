"""A corpus folder of hostile files, written from code (not a test module itself).

    corpus = write_hostile_corpus(tmp_path / "corpus")
    corpus.good    # article id -> the file it comes from (a dozen small articles)
    corpus.bad     # file -> words its one problem must contain (the other ~190 files)

Bad files: binary, a 5 MB text, empty, UTF-16 without a byte-order mark, broken front matter
(YAML errors, python tags, a billion laughs, nesting 5,000 deep, 5,000-digit numbers,
unpaired surrogates), broken JSON and JSON Lines, pages of scripts or menus only, symlinks to
nowhere and in a loop, files of other types, in nested folders and under names with spaces
and other scripts. Good files include cp1252, latin-1 and UTF-16 text, an HTML page with
scripts, names in other scripts, and an article inside a folder named `x.md/`.
"""

import codecs
import itertools
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from qa.articles import id_from_path

HUGE_BYTES = 5_000_000
FOLDERS = ["", "nested/a/b/c", "folder with spaces", "berkas ünïcode 日本", "x.md"]

TOPICS = [
    ("upah", "Dewan pengupahan {city} membahas kenaikan upah minimum untuk tahun depan."),
    ("magang", "Peserta magang dari {city} berangkat ke Jepang setelah pelatihan bahasa."),
    ("las", "Balai latihan kerja {city} membuka kelas pengelasan bagi lulusan SMK."),
    ("migran", "Pekerja migran asal {city} mendapat pelindungan asuransi sejak keberangkatan."),
    ("k3", "Pengawas ketenagakerjaan memeriksa penerapan K3 di pabrik-pabrik {city}."),
    ("phk", "Serikat pekerja di {city} meminta perundingan sebelum pemutusan hubungan kerja."),
    ("disabilitas", "Bursa kerja inklusif di {city} menyediakan juru bahasa isyarat."),
    ("digital", "Pelatihan pemasaran digital di {city} diikuti ratusan pelaku usaha kecil."),
    ("nelayan", "Awak kapal perikanan dari {city} dilatih keselamatan kerja di laut."),
    ("perawat", "Perawat lulusan {city} lolos seleksi penempatan ke rumah sakit di Jerman."),
    ("pensiun", "Peserta jaminan pensiun di {city} bertambah setelah sosialisasi BPJS."),
    ("ilo", "The ILO office met labour unions in {city} to discuss fair recruitment."),
]
CITIES = ["Bitung", "Kupang", "Medan", "Sorong", "Cilegon", "Pontianak", "Mataram", "Ambon"]


@dataclass
class HostileCorpus:
    folder: Path
    good: dict[str, Path] = field(default_factory=dict)
    bad: dict[Path, str] = field(default_factory=dict)
    warned: set[Path] = field(default_factory=set)  # good files that also get a warning

    @property
    def files(self) -> set[Path]:
        return set(self.good.values()) | set(self.bad)


def _story(number: int) -> tuple[str, str]:
    """(topic, two sentences) of good article `number`, each with words no other has."""
    topic, sentence = TOPICS[number % len(TOPICS)]
    city = CITIES[number % len(CITIES)]
    extra = f"Program ini menargetkan {100 + 37 * number} peserta pada gelombang ke-{number + 2}."
    return topic, f"{sentence.format(city=city)} {extra}"


def _front_matter(article_id: str | None, title: str, body: str) -> str:
    head = f"id: {article_id}\n" if article_id else ""
    return (
        f"---\n{head}title: {title}\nsource: Hostile News\npublished: 2023-05-17\n---\n\n{body}\n"
    )


def write_hostile_corpus(folder: Path, total: int = 200, seed: int = 20240517) -> HostileCorpus:
    """Write `total` files (a dozen good) under `folder`; say what a scan must make of each."""
    corpus = HostileCorpus(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_good(corpus)
    once, repeated = _bad_kinds(random.Random(seed))
    for number in itertools.count():
        if len(corpus.files) >= total:
            break
        at = number - len(once)
        name, data, expected = once[number] if at < 0 else repeated[at % len(repeated)]
        where = folder / FOLDERS[number % len(FOLDERS)]
        path = where / f"{number:03d} {name}"
        where.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str) and data.startswith("symlink:"):
            os.symlink(data.removeprefix("symlink:").replace("SELF", path.name), path)
        else:
            path.write_bytes(data)
        corpus.bad[path] = expected
    return corpus


def _write_good(corpus: HostileCorpus) -> None:
    folder = corpus.folder
    stories = [_story(number) for number in range(len(TOPICS))]

    def good(path: Path, data: bytes, article_id: str | None = None, warns: bool = False):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        corpus.good[article_id or id_from_path(path)] = path
        if warns:
            corpus.warned.add(path)

    (t0, s0), (t1, s1), (t2, s2), (t3, s3), (t4, s4), (t5, s5) = stories[:6]
    (t6, s6), (t7, s7), (t8, s8), (t9, s9), (t10, s10), (t11, s11) = stories[6:]
    good(
        folder / "plain.md",
        _front_matter("hostile-plain", f"Berita {t0}", s0).encode(),
        "hostile-plain",
    )
    good(folder / "berita dengan spasi (1).md", f"# Berita {t1}\n\n{s1}\n".encode(), warns=True)
    good(folder / "日本語のニュース.md", _front_matter(None, f"Berita {t2}", s2).encode())
    good(folder / "中文新闻.md", _front_matter(None, f"Berita {t3}", s3).encode())
    good(folder / "windows.txt", f"Berita {t4}\n\n“{s4}”\n".encode("cp1252"), warns=True)
    latin = _front_matter("hostile-latin1", f"Café {t5}", s5).encode("latin-1") + b"\x81\n"
    good(folder / "latin1.md", latin, "hostile-latin1", warns=True)
    good(
        folder / "utf16-bom.md",
        _front_matter("hostile-utf16", f"Berita {t6}", s6).encode("utf-16"),
        "hostile-utf16",
    )
    good(folder / "page with scripts.html", _html(f"Berita {t7}", s7), "page-with-scripts")
    good(
        folder / "nested/a/b/c/d/e/deep.md",
        _front_matter("hostile-deep", f"Berita {t8}", s8).encode(),
        "hostile-deep",
    )
    good(
        folder / "x.md" / "inside.md",
        _front_matter("hostile-inside-dir", f"Berita {t9}", s9).encode(),
        "hostile-inside-dir",
    )
    record = {
        "id": "hostile-json",
        "title": f"Berita {t10}",
        "text": s10,
        "published": "2023-05-17",
    }
    good(folder / "single.json", json.dumps(record).encode(), "hostile-json")
    lines = [
        json.dumps({"id": "hostile-jsonl", "title": f"Berita {t11}", "text": s11}),
        "{this line is not json",
    ]
    path = folder / "mixed.jsonl"
    good(path, "\n".join(lines).encode(), "hostile-jsonl")
    corpus.bad[path] = "not valid JSON"
    readme = folder / "README.md"
    readme.write_text("# This folder\n\nArticles for the tests, and files that are not.\n")
    corpus.bad[readme] = "documentation"


def _html(title: str, body: str) -> bytes:
    return f"""<!DOCTYPE html>
<html><head><title>{title}</title>
<script>document.write("<p>INJECTED SCRIPT TEXT</p>"); alert("hostile");</script>
<style>body {{ background: url("javascript:alert(1)") }}</style>
</head><body>
<nav><a href="/">Beranda</a> <a href="/ekonomi">Ekonomi</a></nav>
<article><h1>{title}</h1>
<p onclick="alert('hostile')">{body}</p>
<script>var tracking = "SCRIPT BODY TEXT";</script>
<p>Kegiatan ini didukung pemerintah daerah dan dunia usaha setempat sepanjang tahun.</p>
</article>
<script src="https://example.invalid/tracker.js"></script>
</body></html>""".encode()


Kind = tuple[str, bytes | str, str]  # file name, bytes or "symlink:<target>", words of its problem


def _bad_kinds(rng: random.Random) -> tuple[list[Kind], list[Kind]]:
    """The kinds of bad file written once (5 MB each), and those written again and again."""

    def binary(prefix: bytes = b"") -> bytes:
        return prefix + bytes(rng.randrange(256) for _ in range(600)) + b"\x00"

    def md(meta: str, body: str = "Isi berita yang cukup panjang.") -> bytes:
        return f"---\n{meta}\n---\n\n{body}\n".encode()

    huge_line = "Pekerja migran mendapat pelatihan kerja di balai latihan setiap tahun. "
    huge = (huge_line * (HUGE_BYTES // len(huge_line) + 1)).encode()
    laughs = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    laughs += "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\ntitle: *c"
    utf16 = "---\ntitle: Judul\n---\n\nIsi artikel.\n"
    once: list[Kind] = [
        ("huge article.txt", huge, "more than the 2,000,000"),
        ("huge article.md", b"---\ntitle: Besar\n---\n\n" + huge, "more than the 2,000,000"),
    ]
    kinds: list[Kind] = [
        ("photo.png", binary(b"\x89PNG\r\n\x1a\n"), "not an article file"),
        ("report.pdf", b"%PDF-1.4\n" + binary(), "not an article file"),
        ("notes.docx", binary(b"PK\x03\x04"), "not an article file"),
        ("data.csv", b"id,text\n1,hello\n", "not an article file"),
        ("server.log", b"GET / 200\n", "not an article file"),
        ("Makefile", b"all:\n\ttrue\n", "not an article file"),
        ("backup.md.bak", b"# Judul\n\nIsi.\n", "not an article file"),
    ]
    for suffix in (".md", ".txt", ".html", ".json", ".jsonl"):
        kinds += [
            (f"binary{suffix}", binary(), "binary"),
            (f"image named{suffix}", binary(b"\xff\xd8\xff\xe0JFIF"), "binary"),
            (f"empty{suffix}", b"", "empty"),
            (f"blank{suffix}", b" \n\t\n  \n", "empty"),
            (f"dangling{suffix}", "symlink:does/not/exist" + suffix, "could not read the file"),
            (f"loop{suffix}", "symlink:SELF", "could not read the file"),
        ]
    for suffix in (".md", ".txt"):
        kinds += [
            (f"utf16 no bom{suffix}", utf16.encode("utf-16-le"), "binary"),
            (f"utf16 big endian no bom{suffix}", utf16.encode("utf-16-be"), "binary"),
            (f"utf16 broken{suffix}", codecs.BOM_UTF16_LE + b"J\x00u\x00d", "broken UTF-16"),
        ]
    kinds += [
        ("unclosed.md", b"---\ntitle: Judul\n\nIsi tanpa penutup.\n", "never closed"),
        ("bracket.md", md("title: Judul\nsource: [Suara"), "broken YAML"),
        ("quote.md", md('title: "Judul'), "broken YAML"),
        ("tabs.md", md("title: Judul\n\tsource: Tab"), "broken YAML"),
        ("list.md", md("- a\n- b"), "mapping"),
        ("scalar.md", md("just a sentence"), "mapping"),
        ("bad id.md", md("id: bad/id"), "not safe"),
        ("french.md", md("language: fr"), "language"),
        ("feb 30.md", md("published: 2023-02-30"), "not a real date"),
        ("yesterday.md", md("published: kemarin"), "not a date"),
        ("no body.md", b"---\ntitle: Judul\n---\n\n", "no article text"),
        ("title list.md", md("title: [a, b]"), "must be text"),
        ("laughs.md", md(laughs), "must be text"),
        ("python tag.md", md("title: !!python/object/apply:os.system ['true']"), "broken YAML"),
        ("deep yaml.md", md("title: " + "[" * 5000), "nested too deeply"),
        ("long int.md", md("id: 1" + "1" * 5000), "4300 digits"),
        ("surrogate.md", md('title: "\\ud800 x"'), "surrogate"),
        ("cut off.json", b'[\n  {"id": "a", "text": "Satu."},\n  {"id": "b",\n]\n', "not valid"),
        ("number.json", b"42", "expected a JSON object"),
        ("string.json", b'"just text"', "expected a JSON object"),
        ("no text.json", b'{"id": "x", "title": "Judul"}', "no 'text'"),
        ("bad item.json", b'[{"id": "y"}]', "item 1"),
        ("title number.json", b'{"id": "z", "text": "Isi.", "title": 7}', "must be a string"),
        ("deep.json", b"[" * 100_000, "nested too deeply"),
        ("long int.json", b'{"text": "Isi.", "published": ' + b"7" * 5000 + b"}", "4300 digits"),
        ("surrogate.json", b'{"id": "s", "text": "Isi \\udc80 berita."}', "surrogate"),
        ("not json.jsonl", b"{oops\n", "not valid JSON"),
        ("array line.jsonl", b"[1, 2]\n", "expected a JSON object"),
        ("no text.jsonl", b'{"id": "q"}\n', "no 'text'"),
        ("bad id.jsonl", b'{"id": "a b", "text": "Isi."}\n', "not safe"),
        ("french.jsonl", b'{"text": "Isi.", "language": "fr"}\n', "language"),
        ("deep.jsonl", b"[" * 100_000 + b"\n", "nested too deeply"),
        ("surrogate.jsonl", b'{"id": "t", "text": "Isi \\ud800."}\n', "surrogate"),
        ("scripts only.html", _scripts_only(), "no article text"),
        (
            "menu only.html",
            b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
            "no article text",
        ),
        (
            "sidebar.txt",
            b"Terpopuler\n- Judul Satu\n- Judul Dua\nAdvertisement\n",
            "no article text",
        ),
    ]
    return once, kinds


def _scripts_only() -> bytes:
    return (
        b"<html><head><script>var a = 'Ini bukan artikel, hanya skrip panjang sekali.';</script>"
        b"</head><body><script>document.write('Tulisan dari skrip yang tidak boleh dibaca.');"
        b"</script></body></html>"
    )
