"""The reading page's interface text: Indonesian by default, English with `?lang=en`."""

from datetime import date

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

UI: dict[str, dict[str, str]] = {
    "id": {
        "site": "Tanya Berita Ketenagakerjaan",
        "tagline": "Tanyakan apa saja tentang berita Kementerian Ketenagakerjaan; jawabannya "
        "dikutip langsung dari artikel, lengkap dengan sumbernya.",
        "question": "Pertanyaan",
        "placeholder": "Misalnya: status proposal OSH Korea",
        "ask": "Cari",
        "filters": "Saring hasil",
        "outlet": "Media",
        "all_outlets": "Semua media",
        "since": "Sejak",
        "until": "Sampai",
        "examples": "Contoh pertanyaan",
        "answer": "Jawaban",
        "confidence": "keyakinan",
        "no_answer": "Tidak ada jawaban yang pasti",
        "no_answer_help": "Tidak ada kalimat yang cukup yakin menjawab pertanyaan ini. "
        "Berikut bagian artikel yang paling dekat.",
        "no_results": "Tidak ada artikel yang cocok. Coba kata lain atau longgarkan saringan.",
        "passages": "Kutipan pendukung",
        "closest": "Bagian artikel terdekat",
        "original": "Sumber asli",
        "read_article": "Baca artikel",
        "took": "{count} kutipan dalam {seconds} detik",
        "too_long": "Pertanyaan terlalu panjang: paling banyak {limit} karakter "
        "(yang dikirim {length}).",
        "bad_date": "Tanggal “{value}” tidak valid; gunakan format TTTT-BB-HH.",
        "bad_range": "Tanggal 'sejak' jatuh setelah tanggal 'sampai'.",
        "back": "Kembali ke pencarian",
        "cited": "Bagian yang dikutip disorot.",
        "not_found": "Halaman tidak ditemukan",
        "no_article": "Tidak ada artikel dengan id “{id}”.",
        "error": "Terjadi kesalahan",
        "switch": "English",
        "footer": "Jawaban diambil dari kalimat artikel berita; selalu periksa sumber aslinya.",
    },
    "en": {
        "site": "Ask the Labour News",
        "tagline": "Ask anything about news on Indonesia's Ministry of Manpower; the answer is "
        "quoted straight from an article, with its source.",
        "question": "Question",
        "placeholder": "For example: status proposal OSH Korea",
        "ask": "Search",
        "filters": "Filter results",
        "outlet": "Outlet",
        "all_outlets": "All outlets",
        "since": "Since",
        "until": "Until",
        "examples": "Example questions",
        "answer": "Answer",
        "confidence": "confidence",
        "no_answer": "No confident answer found",
        "no_answer_help": "No sentence answers this question with enough confidence. "
        "Here are the closest passages.",
        "no_results": "No article matches. Try other words or loosen the filters.",
        "passages": "Supporting passages",
        "closest": "Closest passages",
        "original": "Original",
        "read_article": "Read the article",
        "took": "{count} passages in {seconds} s",
        "too_long": "The question is too long: at most {limit} characters (got {length}).",
        "bad_date": "“{value}” is not a valid date; use YYYY-MM-DD.",
        "bad_range": "The 'since' date is after the 'until' date.",
        "back": "Back to search",
        "cited": "The cited passage is highlighted.",
        "not_found": "Page not found",
        "no_article": "No article with id “{id}”.",
        "error": "Something went wrong",
        "switch": "Bahasa Indonesia",
        "footer": "Answers are sentences taken from news articles; always check the original.",
    },
}

MONTHS = {
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November "
    "Desember".split(),
    "en": "January February March April May June July August September October November "
    "December".split(),
}


def language_of(value: str | None) -> str:
    """The interface language asked for, falling back to Indonesian."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def date_text(value: date | None, language: str) -> str:
    """`21 Juli 2023` / `21 July 2023`; empty for no date."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[language][value.month - 1]} {value.year}"


def number_text(value: float, language: str, digits: int = 2) -> str:
    """A decimal number with the language's decimal mark (Indonesian writes 0,75)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language == "id" else text
