"""The scraped-page cleaner on the raw seed articles in shared/seeds (beside the repository)."""

from datetime import date
from pathlib import Path

import pytest

from qa.articles import Article
from qa.ingest.readers import read_file
from qa.ingest.readers.scraped import parse_page

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"

# file stem: outlet, date, title (None: the page has no title line), first and last sentences,
# and lines of the page that are furniture and must be gone.
EXPECTED = {
    "000_1efd84fcf124b8e2": dict(
        source="Tribunnews.com",
        published=date(2023, 7, 21),
        title="Kemnaker sebut belum ada kejelasan soal hasil seleksi Policy Consulting Program "
        "for Improvement of OSH Law and Policies dari Pemerintah Korea",
        first="Pemerintah Indonesia dan pemerintah Korea Selatan terus memperkuat kerja sama "
        "bidang ketenagakerjaan.",
        last="khususnya dalam mempromosikan topik-topik ketenagakerjaan dan pengembangan serta "
        'perluasan kesempatan kerja," tutup Anwar.',
        junk=[
            "date 2023-07",
            "TRIBUNNEWS.COM",
            "saat membuka Rapat Koordinasi Persiapan Pertemuan ke-12",  # header photo caption
            "usai menutup EWG Kelima di Jakarta",  # photo caption in the body
            "(dok. Kemnaker)",
            "Baca juga",
            "Kasir Hingga Teller Bakal Diganti Digital",
        ],
    ),
    "001_a7c6ede21aba5c49": dict(
        source="Suara.com",
        published=date(2020, 10, 27),
        title=None,
        first="Sekertaris Jenderal Kementerian Ketenagakerjaan, Anwar Sanusi menyatakan bahwa "
        "negara-negara ASEAN dan 3 negara mitra",
        last='"Jadi ini sifatnya lebih mempererat kerja sama dalam bidang ketenagakerjaan '
        'ASEAN +3," ujarnya.',
        junk=[
            "Suara.com -",
            "Baca Juga",
            "Berita Terkait",
            "Ini Daftar Lengkap Upah Minimum Provinsi se-Indonesia Tahun Depan",
            "Tingkatkan Standar Hidup, Indonesia dan Swiss Kerja Sama Ketenagakerjaan",
            "Terpopuler",
            "27 Kode Redeem FC Mobile",
            "Pilihan",
            "Menkeu Purbaya Mau Tangkap Pelaku Bisnis Thrifting",
            "Terkini",
            "Jejak Korupsi POME",
        ],
    ),
    "002_1762f880eb5c61fe": dict(
        source="Rmol.id",
        published=date(2021, 9, 10),
        title="Dorong Penguatan Kerjasama, Kemnaker Ajak ASEAN Wujudkan Visi Program Kerja "
        "2021-2025",
        first="Para pejabat senior bidang ketenagakerjaan negara-negara ASEAN diharapkan bisa "
        "memperkuat kerjasama",
        last="untuk meringankan dampak pandemi pada pekerja serta keberlanjutan bisnis.",
        junk=[
            "Dinamika",
            "Anwar Sanusi/Ist",
            "LAPORAN",
            "SARAH MEILIANA GUNAWAN",
            "11:43 WIB",
            "Populer",
            "Enak Jadi Mulyono",
            "Kamis, 12 Februari 2026",
            "UPDATE",
            "Tips Aman Belanja Online Ramadan 2026",
            "Pelonggaran Sertifikasi Halal",
            "Selengkapnya",
        ],
    ),
    "003_e18edbe9415349a5": dict(
        source="Indoposco.id",
        published=date(2024, 5, 13),
        title="Libatkan 3 Lembaga Internasional, Kemnaker Ajak Kembangkan SDM Ketenagakerjaan",
        first="Kementerian Ketenagakerjaan (Kemnaker) mengajak tiga lembaga internasional dalam "
        "pengembangan SDM ketenagakerjaan di Indonesia.",
        last="agar pelatihan yang diberikan tepat sasaran baik itu secara kualitas maupun "
        "kuantitas,” ujarnya.",
        junk=["INDOPOSCO.ID", "(nas)"],
    ),
    "004_5a4b5547b8409c0c": dict(
        source="Liputan6.com",
        published=date(2023, 11, 2),
        title=None,
        first="Sekretaris Jenderal Kementerian Ketenagakerjaan, Anwar Sanusi melakukan "
        "pertemuan bilateral",
        last='dengan kebutuhan dunia usaha dan dunia industri," katanya.',
        junk=["Liputan6.com", "Baca Juga", "Advertisement", "(*)"],
    ),
}


@pytest.fixture(scope="module")
def articles() -> dict[str, Article]:
    assert SEEDS.is_dir(), f"seed articles not found at {SEEDS} (shared/ beside the repository)"
    found = {}
    for path in sorted(SEEDS.glob("*.txt")):
        items = list(read_file(path))
        assert all(isinstance(item, Article) for item in items), items
        (found[path.stem],) = items
    return found


def test_all_seeds_read(articles):
    assert sorted(articles) == sorted(EXPECTED)


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_metadata(articles, stem):
    article, expected = articles[stem], EXPECTED[stem]
    assert article.id == stem
    assert article.source == expected["source"]
    assert article.published == expected["published"]
    assert article.language == "id"
    assert article.path == str(SEEDS / f"{stem}.txt")
    if expected["title"]:
        assert article.title == expected["title"]
    else:  # no title line on the page: the lead's first words stand in
        assert article.title.rstrip("…") in article.text.split("\n")[0]


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_body_kept_whole_and_junk_gone(articles, stem):
    article, expected = articles[stem], EXPECTED[stem]
    assert article.text.startswith(expected["first"])
    assert article.text.endswith(expected["last"])
    for junk in expected["junk"]:
        assert junk not in article.text, junk


def test_every_sentence_of_the_article_survives(articles):
    raw = (SEEDS / "000_1efd84fcf124b8e2.txt").read_text(encoding="utf-8").split("\n")
    body = [line.strip() for line in raw[2:] if line.strip()]
    furniture = {
        "Sekretaris Jenderal Kemnaker, Anwar Sanusi, usai menutup EWG Kelima di Jakarta, "
        "Jumat (19/8/2022). (dok. Kemnaker)",
        "Baca juga: Kemnaker Prediksi Pekerjaan yang Meningkat di Masa Depan, Kasir Hingga "
        "Teller Bakal Diganti Digital",
    }
    kept = articles["000_1efd84fcf124b8e2"].text.split("\n\n")
    assert kept == [line.removeprefix("TRIBUNNEWS.COM, INDORE - ") for line in body
                    if line not in furniture]  # fmt: skip


def test_heading_inside_article_stays(articles):
    assert "\n\nGelar Pelatihan Vokasi\n\n" in articles["004_5a4b5547b8409c0c"].text


def test_whitespace_runs_collapse(articles):
    assert "Thailand, Indonesia, dan Sekretariat ASEAN" in articles["002_1762f880eb5c61fe"].text


# The rules are general: other pages from these outlets, in the layouts they use.
def test_kompas_and_antara_datelines():
    page = parse_page(
        "JAKARTA, KOMPAS.com - Menaker meninjau balai latihan kerja, Senin (3/6/2024)."
    )
    assert (page.source, page.published) == ("Kompas.com", date(2024, 6, 3))
    assert page.text.startswith("Menaker meninjau")
    page = parse_page("Jakarta (ANTARA) - Kemnaker membuka pelatihan, Rabu (5/6/2024).")
    assert (page.source, page.text[:9]) == ("Antara", "Kemnaker ")


def test_caption_before_dateline_on_one_line():
    page = parse_page(
        "Menaker saat kunjungan kerja, Selasa (4/6/2024). TRIBUNNEWS.COM, JAKARTA - "
        "Kementerian Ketenagakerjaan menggelar job fair, Rabu (5/6/2024).\n"
        "Sebanyak 50 perusahaan ikut serta."
    )
    assert page.source == "Tribunnews.com"
    assert page.text.startswith("Kementerian Ketenagakerjaan menggelar job fair")
    assert page.published == date(2024, 6, 5)


def test_related_list_in_the_middle_ends_at_prose():
    page = parse_page(
        "Suara.com - Paragraf pertama artikel yang panjang tentang ketenagakerjaan di Indonesia.\n"
        "Baca Juga\n"
        "- Menaker Buka Bursa Kerja\n"
        "UMP 2025 Naik Enam Persen\n"
        "Paragraf kedua artikel tetap ada dan berakhir dengan titik.\n"
        "Foto bersama peserta pelatihan di Bekasi. (Foto: Humas Kemnaker)\n"
        "-\n"
        "Terkini\n"
        "Judul Berita Lain di Sidebar\n"
        "Senin, 3 Juni 2024 | 10:15 WIB\n"
    )
    assert page.text.split("\n\n") == [
        "Paragraf pertama artikel yang panjang tentang ketenagakerjaan di Indonesia.",
        "Paragraf kedua artikel tetap ada dan berakhir dengan titik.",
    ]


def test_month_hint_without_matching_lead_date():
    page = parse_page(" date 2022-03 Judul berita\nTRIBUNNEWS.COM - Acara pada Senin (3/1/2022).")
    assert page.published == date(2022, 3, 1)


def test_page_without_header_takes_title_line():
    page = parse_page("Judul Berita Tanpa Dateline\nIsi artikel pertama, Jumat (7/6/2024).\n")
    assert page.title == "Judul Berita Tanpa Dateline"
    assert page.text == "Isi artikel pertama, Jumat (7/6/2024)."
    assert (page.source, page.published) == ("", date(2024, 6, 7))


def read_page(tmp_path: Path, text: str) -> Article:
    """The one article read from a .txt file holding `text`."""
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    (article,) = read_file(path)
    return article


def test_front_matter_gives_what_the_page_does_not(tmp_path):
    article = read_page(
        tmp_path,
        "---\nid: my-page\nsource: Kemnaker.go.id\npublished: 2024-06-07\n---\n"
        "Judul Siaran Pers\nIsi siaran pers tentang pelatihan vokasi.\n",
    )
    assert (article.id, article.title, article.source) == (
        "my-page",
        "Judul Siaran Pers",
        "Kemnaker.go.id",
    )
    assert article.published == date(2024, 6, 7)


def test_tribunnews_full_page_layout():
    page = parse_page(
        "Tribunnews.com\n"
        "Nasional\n"
        "Kemnaker Gelar Job Fair Nasional di Jakarta\n"
        "Senin, 3 Juni 2024 10:15 WIB\n"
        "Penulis: Reza Deni\n"
        "Editor: Wahyu Aji\n"
        "Menaker saat membuka job fair, Senin (3/6/2024). (Tribunnews.com/Reza Deni)\n"
        "TRIBUNNEWS.COM, JAKARTA - Kemnaker menggelar job fair nasional, Senin (3/6/2024).\n"
        "Baca juga: Menaker Minta Perusahaan Buka Lowongan\n"
        "Sebanyak 50 perusahaan ikut serta dalam kegiatan tersebut.\n"
        "Menaker Ida Fauziyah saat sambutan. (Tribunnews.com/Reza Deni)\n"
        '"Kami harap pencari kerja memanfaatkan kesempatan ini," kata Ida.\n'
        "Tag:\n"
        "Kemnaker\n"
        "Berita Terkait\n"
        "Menaker Buka Job Fair\n"
        "Senin, 3 Juni 2024 09:00 WIB\n"
    )
    assert (page.title, page.source) == (
        "Kemnaker Gelar Job Fair Nasional di Jakarta",
        "Tribunnews.com",
    )
    assert page.published == date(2024, 6, 3)
    assert page.text.split("\n\n") == [
        "Kemnaker menggelar job fair nasional, Senin (3/6/2024).",
        "Sebanyak 50 perusahaan ikut serta dalam kegiatan tersebut.",
        '"Kami harap pencari kerja memanfaatkan kesempatan ini," kata Ida.',
    ]


def test_liputan6_full_page_layout():
    page = parse_page(
        "Kemnaker Luncurkan Program Baru untuk Pekerja Muda\n"
        "Oleh Tira Santia\n"
        "02 Nov 2023, 10:15 WIB\n"
        "Liputan6.com, Jakarta - Kementerian Ketenagakerjaan meluncurkan program baru.\n"
        "Scroll to continue with content\n"
        "Oleh karena itu, program ini ditujukan bagi pekerja muda.\n"
        "Advertisement\n"
        "Baca Juga\n"
        "Kemnaker Gelar Pelatihan\n"
        "Menaker Buka Job Fair\n"
        "Pelatihan ini berlangsung selama tiga bulan di berbagai daerah.\n"
        "(Tira Santia)\n"
    )
    assert page.title == "Kemnaker Luncurkan Program Baru untuk Pekerja Muda"
    assert (page.source, page.published) == ("Liputan6.com", date(2023, 11, 2))
    assert page.text.split("\n\n") == [
        "Kementerian Ketenagakerjaan meluncurkan program baru.",
        "Oleh karena itu, program ini ditujukan bagi pekerja muda.",
        "Pelatihan ini berlangsung selama tiga bulan di berbagai daerah.",
    ]


# Datelines as other outlets and scrapers write them.
@pytest.mark.parametrize(
    ("page", "source", "start"),
    [
        (
            "KOMPAS.com-WhatsApp kini punya fitur baru untuk pengguna.",
            "Kompas.com",
            "WhatsApp kini",
        ),
        ("REPUBLIKA.CO.ID, JAKARTA -- Kejagung membuka peluang.", "Republika.co.id", "Kejagung"),
        (
            "Liputan6.com, Bandung -Bupati Bandung meminta warga menanam pohon.",
            "Liputan6.com",
            "Bupati",
        ),
        ("Liputan6.com, JakartaKita semua mengalami pasang surut.", "Liputan6.com", "Kita semua"),
        ("JAKARTA,KOMPAS.com -\nKlaim JKP melonjak tajam tahun ini.", "Kompas.com", "Klaim JKP"),
        ("Jakarta (ANTARA News) - Peribahasa itu tepat disematkan.", "ANTARA News", "Peribahasa"),
        ("Jakarta - Wakil Menteri melakukan sidak ke tiga perusahaan.", "", "Wakil Menteri"),
        ("JAKARTA– Kehilangan ponsel membuat panik pemiliknya.", "", "Kehilangan ponsel"),
    ],
)
def test_datelines_glued_doubled_or_alone(page, source, start):
    parsed = parse_page(page)
    assert (parsed.source, parsed.text[: len(start)]) == (source, start)


@pytest.mark.parametrize(
    "page",
    [
        "Rusia-Ukraina kembali memanas pekan ini, kata pengamat.",
        "Wings Air membatalkan sejumlah penerbangan di NTT.\nMaumere - Kupang PP\nKupang - Ende PP",
    ],
)
def test_hyphens_and_routes_are_no_datelines(page):
    assert parse_page(page).text.split("\n\n") == page.split("\n")


def test_outlet_from_its_video_embed():
    page = parse_page("Jakarta - Menaker meninjau balai latihan kerja.\n[Gambas:Video 20detik]")
    assert (page.source, page.text) == ("Detik.com", "Menaker meninjau balai latihan kerja.")


def test_sentences_broken_over_lines_by_links_are_joined():
    page = parse_page(
        "JAKARTA, KOMPAS.com - Klaim Jaminan Kehilangan Pekerjaan (\nJKP\n) melonjak.\n"
        "Belum ada laporan pengaduan ke\nKejagung\nterkait hal ini.\n"
        "Gelar Pelatihan Vokasi\nKemnaker menggelar pelatihan vokasi."
    )
    assert page.text.split("\n\n") == [
        "Klaim Jaminan Kehilangan Pekerjaan (JKP) melonjak.",
        "Belum ada laporan pengaduan ke Kejagung terkait hal ini.",
        "Gelar Pelatihan Vokasi",
        "Kemnaker menggelar pelatihan vokasi.",
    ]


def test_article_glued_onto_one_line_after_a_byline_is_read(tmp_path):
    """A byline rule that dropped whole lines took such an article with it."""
    article = read_page(
        tmp_path,
        "Editor: Budi Santoso Wakil Menteri meninjau tiga perusahaan, Selasa (10/6/2025). "
        "Sidak dilakukan setelah ada laporan masyarakat. ADVERTISEMENT Perusahaan itu kooperatif.",
    )
    assert article.text.endswith("Sidak dilakukan setelah ada laporan masyarakat.\n\n"
                                 "Perusahaan itu kooperatif.")  # fmt: skip
    assert "Wakil Menteri meninjau tiga perusahaan" in article.text


def test_embedded_post_newsletter_and_bio_are_dropped():
    """English page furniture by its shape: an embedded post (its text and the attribution
    line), a newsletter's pitch and sign-up form, a separator and the writer's bio."""
    page = parse_page(
        "JAKARTA - The ministry signed the agreement on Monday.\n"
        "A standing ovation for the team! #GRAMMYs\n"
        "— The GRAMMYs (@TheGRAMMYs) February 16, 2016\n"
        "Officials said the plan would start next year.\n"
        'With exclusive interviews, "Prospects" is the go-to source for business news.\n'
        "By registering, you agree with the Privacy Policy\n"
        "Please check your email for your newsletter subscription.\n"
        "The plan covers three provinces.\n"
        "*****\n"
        "The writer is a senior economist at a bank."
    )
    assert page.text.split("\n\n") == [
        "The ministry signed the agreement on Monday.",
        "Officials said the plan would start next year.",
        "The plan covers three provinces.",
    ]


def test_look_alikes_of_the_english_furniture_stay():
    """The same words in the article's own sentences are prose."""
    text = (
        "JAKARTA - The writer is known for her novels about Jakarta, her publisher said.\n"
        "Subscribers can sign up for the newsletter at the ministry's office, he said.\n"
        "The writer is a senior economist at a bank, according to the ministry's statement, "
        "and her report was cited at length by officials in three provinces last week, "
        "together with the figures that the statistics bureau published on Monday morning.\n"
        "The writer is known for her novels about Jakarta."
    )
    assert parse_page(text).text.split("\n\n") == text.removeprefix("JAKARTA - ").split("\n")


def test_removals_are_noted_by_family(tmp_path):
    from qa.ingest.readers.removed import recording

    path = tmp_path / "page.txt"
    path.write_text(
        "JAKARTA - Menteri meninjau balai latihan kerja.\nBaca juga: Menaker Buka Job Fair\n"
        "Ia meminta pelatihan diperluas.\n(eva/fca)",
        encoding="utf-8",
    )
    with recording() as removed:
        (article,) = read_file(path)
    assert article.text.split("\n\n") == [
        "Menteri meninjau balai latihan kerja.",
        "Ia meminta pelatihan diperluas.",
    ]
    assert [(r.family, r.text) for r in removed[str(path)]] == [
        ("related", "Baca juga: Menaker Buka Job Fair"),
        ("initials", "(eva/fca)"),
    ]


# A page dumped on one line, written for this test in the shape of realnews2/jakartapost-2:
# trending headlines printed twice, the headline, the page's stamp and address, a captioned
# photo, the body, then a run of related headlines.
TRENDING = "Rice prices climb ahead of Ramadan Port strike enters second week "
BODY_SENTENCES = (
    "The ministry approved a new terminal at the port on Monday, officials said. "
    "Construction will start in March and is expected to take two years. "
    "The terminal will handle 2 million containers a year, the ministry said in a statement. "
    "Local businesses welcomed the plan, saying it would cut shipping costs by about 15 percent. "
    "The port operator said it would hire some 3,000 workers for the project. "
    "Environmental groups asked the ministry to publish its impact study before work starts. "
    "The ministry said the study would be released next month. "
)
RELATED_RUN = (
    "Rice prices climb ahead of Ramadan Port strike enters second week Govt urged to cut red "
    "tape for small firms Floods hit three districts in Central Java Central bank holds rate "
    "steady as rupiah weakens Get the latest news in your inbox"
)


def one_line_page(after_body: str) -> str:
    return (
        f"{TRENDING}{TRENDING}Ministry approves new port terminal in Surabaya "
        "Published on 2026-01-12T09:30:00+07:00 "
        "https://news.example.com/business/2026/01/12/ministry-approves-new-port-terminal-in-"
        "surabaya.html Workers unload containers at the port in Surabaya on Jan. 10, 2026. "
        f"(AFP/Budi Santoso) {BODY_SENTENCES}{after_body}"
    )


def test_page_dumped_on_one_line_is_cleaned_titled_and_dated():
    page = parse_page(one_line_page(RELATED_RUN))
    assert page.title == "Ministry approves new port terminal in Surabaya"
    assert page.published == date(2026, 1, 12)
    assert page.text == BODY_SENTENCES.strip()


def test_one_line_page_keeps_a_last_sentence_without_its_full_stop():
    """A last sentence that lost its full stop is no headline run: it is short enough for one
    headline, or it holds a sentence end."""
    unfinished = "The port will open to ships in 2028"
    assert parse_page(one_line_page(unfinished)).text.endswith(unfinished)
    longer = "Officials said more details would follow.The port will open to ships in 2028 " * 3
    assert parse_page(one_line_page(longer.strip())).text.endswith("ships in 2028")


def test_one_line_page_title_from_a_ticker_without_an_address():
    """Without the address, the headline is what follows the ticker printed twice."""
    text = one_line_page(RELATED_RUN).replace(
        "https://news.example.com/business/2026/01/12/ministry-approves-new-port-terminal-in-"
        "surabaya.html ",
        "",
    )
    assert parse_page(text).title == "Ministry approves new port terminal in Surabaya"
