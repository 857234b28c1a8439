from pathlib import Path

import pytest

from qa.text.sentences import split_sentences

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


def sentences(text: str) -> list[str]:
    spans = split_sentences(text)
    assert_valid_spans(text, spans)
    return [text[start:end] for start, end in spans]


def assert_valid_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """In order, non-overlapping, stripped, and covering every non-space character."""
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        assert not text[position:start].strip(), f"lost {text[position:start]!r}"
        position = end
    assert not text[position:].strip()


@pytest.mark.parametrize(
    "text",
    [
        "Foto diambil dari dok. Kemnaker untuk laporan ini.",
        "Sambutan disampaikan oleh H. Anwar Sanusi di Jakarta.",
        "Acara dibuka oleh Ir. Budi Santoso di Bandung.",
        "Hal itu diatur dalam UU No. 13 Tahun 2003 tentang Ketenagakerjaan.",
        "Hadir pula Dr. Ida Fauziyah dan Prof. Bambang di acara itu.",
        "Rapat dipimpin drs. Ahmad bersama tim.",
        "Pemateri adalah Budi Santoso, S.H. Kepala Dinas Tenaga Kerja.",
        "Ia didampingi Siti Aminah, M.Si. Direktur Bina Pelatihan.",
        "Kantornya berada di Jl. Gatot Subroto Kav. 51, Jakarta Selatan.",
        "Pelatihan digelar di Kec. Cibinong, Kab. Bogor, pekan lalu.",
        "Upah minimum naik menjadi Rp. 1,5 juta per bulan.",
        "Surat ditandatangani a.n. Menteri Ketenagakerjaan oleh Sekjen.",
        "Dokumen dikirim u.p. Kepala Biro Kerja Sama Luar Negeri.",
        "He met Mr. Smith and Mrs. Jones on Monday.",
        "The office is on St. James Street in London.",
        "It was Indonesia vs. Malaysia in the final.",
        "Several partners, e.g. Japan and Korea, joined the forum.",
        "The programme, i.e. Japan's caregiver scheme, opened in 2008.",
    ],
)
def test_abbreviations_do_not_end_sentences(text):
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Sekretaris Jenderal Kemnaker Anwar S. Sanusi hadir di Jenewa.",
        "The report was written by J. Smith and K. Lee.",
    ],
)
def test_initials(text):
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Rapat digelar di Bandar Lampung, Jumat (15/7/2022). Kemnaker hadir.",
            ["Rapat digelar di Bandar Lampung, Jumat (15/7/2022).", "Kemnaker hadir."],
        ),
        (
            "Program Kerja 2021-2025 disepakati. Semua negara setuju.",
            ["Program Kerja 2021-2025 disepakati.", "Semua negara setuju."],
        ),
        (
            "Nilai investasi Rp14 triliun. Ekonomi tumbuh 3.5 persen. Ada 1.000 peserta.",
            ["Nilai investasi Rp14 triliun.", "Ekonomi tumbuh 3.5 persen.", "Ada 1.000 peserta."],
        ),
        (
            "Bantuan Rp 1,5 juta diberikan. Angka inflasi 2,75 persen.",
            ["Bantuan Rp 1,5 juta diberikan.", "Angka inflasi 2,75 persen."],
        ),
    ],
)
def test_dates_and_numbers_do_not_split(text, expected):
    assert sentences(text) == expected


def test_quote_with_speech_verb_is_one_sentence():
    text = (
        '"Saya percaya kerja sama ini semakin kuat," ujar Anwar. '
        '"Kami berharap proposal disetujui," kata Sekjen Anwar dalam keterangannya.'
    )
    assert sentences(text) == [
        '"Saya percaya kerja sama ini semakin kuat," ujar Anwar.',
        '"Kami berharap proposal disetujui," kata Sekjen Anwar dalam keterangannya.',
    ]


def test_closing_quote_stays_with_its_sentence():
    text = 'Ia berkata, “Kami siap.” Lalu ia pergi. "Semua selesai." Acara ditutup.'
    assert sentences(text) == [
        "Ia berkata, “Kami siap.”",
        "Lalu ia pergi.",
        '"Semua selesai."',
        "Acara ditutup.",
    ]


def test_question_in_quote_followed_by_speech_verb():
    text = '"Kapan programnya dibuka?" tanya wartawan. "Tahun depan!" jawab Anwar.'
    assert sentences(text) == [
        '"Kapan programnya dibuka?" tanya wartawan.',
        '"Tahun depan!" jawab Anwar.',
    ]


def test_question_and_exclamation_marks_end_sentences():
    assert sentences("Apa hasilnya? Belum ada. Luar biasa! Kita lanjut.") == [
        "Apa hasilnya?",
        "Belum ada.",
        "Luar biasa!",
        "Kita lanjut.",
    ]


def test_ellipsis():
    text = "Ia menunggu... lalu pergi. Kemudian... Semua diam."
    assert sentences(text) == ["Ia menunggu... lalu pergi.", "Kemudian...", "Semua diam."]


def test_lowercase_after_period_continues_the_sentence():
    text = "Bahan pangan seperti beras, gula, dll. tersedia di pasar. Harga stabil."
    assert sentences(text) == [
        "Bahan pangan seperti beras, gula, dll. tersedia di pasar.",
        "Harga stabil.",
    ]


@pytest.mark.parametrize("word", ["dll.", "dsb.", "tsb.", "etc."])
def test_etcetera_ends_a_sentence_only_before_a_capital(word):
    assert len(sentences(f"Ada kopi, teh, {word} yang disajikan. Semua habis.")) == 2
    assert sentences(f"Ada kopi, teh, {word} Semua habis.") == [
        f"Ada kopi, teh, {word}",
        "Semua habis.",
    ]


def test_urls_emails_and_site_names_do_not_split():
    text = (
        "Liputan6.com, Jakarta Kemnaker membuka pendaftaran di https://kemnaker.go.id/program. "
        "Kirim berkas ke info@kemnaker.go.id sebelum Jumat."
    )
    assert sentences(text) == [
        "Liputan6.com, Jakarta Kemnaker membuka pendaftaran di https://kemnaker.go.id/program.",
        "Kirim berkas ke info@kemnaker.go.id sebelum Jumat.",
    ]


def test_newline_always_ends_a_sentence():
    text = "Baca juga: Kemnaker Latih Pekerja Migran\nIa menuturkan hal itu\n\n  Lalu pergi  \n"
    assert sentences(text) == [
        "Baca juga: Kemnaker Latih Pekerja Migran",
        "Ia menuturkan hal itu",
        "Lalu pergi",
    ]


def test_list_markers_stay_with_their_item():
    text = "1. Pendahuluan singkat.\na. Pertama kali dibahas."
    assert sentences(text) == ["1. Pendahuluan singkat.", "a. Pertama kali dibahas."]


def test_english_text():
    text = (
        "Indonesia and South Korea agreed to strengthen labour cooperation on Friday. "
        "The U.S. delegation did not attend. Dr. Lee said the programme would grow by "
        "3.5 percent in 2021-2025! Will Japan join? Officials declined to comment."
    )
    assert sentences(text) == [
        "Indonesia and South Korea agreed to strengthen labour cooperation on Friday.",
        "The U.S. delegation did not attend.",
        "Dr. Lee said the programme would grow by 3.5 percent in 2021-2025!",
        "Will Japan join?",
        "Officials declined to comment.",
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n \t\n"])
def test_blank_text_has_no_sentences(text):
    assert split_sentences(text) == []


def test_spans_cover_odd_text():
    text = '  ... . ?! "" Ya. (dok. Kemnaker)  \r\n\u2028x.y. Z.  '
    spans = split_sentences(text)
    assert_valid_spans(text, spans)


def test_seed_article():
    path = SEEDS / "000_1efd84fcf124b8e2.txt"
    if not path.exists():
        pytest.skip(f"no seed articles at {SEEDS}")
    text = path.read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n") if p.strip()]
    found = sentences(text)
    assert len(found) == 18  # 15 paragraphs, three of them two sentences
    # The lead paragraph is two sentences, split after the date.
    assert [len(sentences(p)) for p in paragraphs[:2]] == [2, 1]
    assert found[0].endswith("Jumat (15/7/2022).")
    assert found[1].startswith("Kemnaker sebut belum ada kejelasan")
    # A quotation and its attribution are one sentence.
    assert found[5].startswith('"Saya percaya bahwa, pada kepemimpinan')
    assert found[5].endswith('berkesinambungan," ujar Anwar.')
    # A photo caption and its credit.
    assert found[6].endswith("Jumat (19/8/2022).")
    assert found[7] == "(dok. Kemnaker)"
    # A two-sentence quotation closed by its attribution.
    assert found[-2].startswith('"Pada World Expo Osaka')
    assert found[-1].endswith('kesempatan kerja," tutup Anwar.')
