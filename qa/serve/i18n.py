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
        "also_in": "Juga diberitakan oleh",
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
        "also_in": "Also reported by",
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

# The maintainer's page (/admin), in both languages like the reading page.
ADMIN: dict[str, dict[str, str]] = {
    "id": {
        "admin": "Pengelolaan",
        "admin_off": "Pengelolaan mati: jalankan server dengan QA_API_KEY (atau --api-key).",
        "sign_in": "Masuk",
        "sign_in_help": "Masukkan kunci API server ini.",
        "key": "Kunci API",
        "wrong_key": "Kunci salah.",
        "throttled": "Terlalu banyak kunci salah dari alamat ini; coba lagi dalam {minutes} menit.",
        "sign_out": "Keluar",
        "forged": "Formulir kedaluwarsa atau palsu (token CSRF tidak cocok). Muat ulang halaman "
        "lalu coba lagi.",
        "expired": "Sesi berakhir; silakan masuk lagi.",
        "status": "Status indeks",
        "generation": "generasi {generation}, {articles} artikel, {passages} kutipan",
        "update_running": "Pembaruan #{job} berjalan: {stage} {done}/{total}",
        "update_idle": "Tidak ada pembaruan yang berjalan.",
        "queued": "{count} menunggu",
        "last_error": "Galat terakhir",
        "refresh": "Muat ulang",
        "add_links": "Tambah lewat tautan",
        "links": "Tautan artikel, satu per baris",
        "add": "Tambah",
        "paste": "Tempel teks",
        "paste_help": "Dibersihkan seperti halaman .txt hasil scraping.",
        "title": "Judul",
        "outlet": "Media",
        "date": "Tanggal",
        "url": "Tautan asli (boleh kosong)",
        "text": "Teks artikel",
        "save": "Simpan",
        "upload": "Unggah berkas",
        "upload_help": ".txt, .md, .html atau .jsonl, dalam UTF-8.",
        "file": "Berkas",
        "send": "Unggah",
        "delete": "Hapus artikel",
        "article_id": "Id artikel",
        "delete_button": "Hapus",
        "newest": "Artikel terbaru",
        "feeds": "Umpan berita",
        "feeds_help": "RSS/Atom, sitemap, atau beranda yang menautkan umpannya.",
        "feed_url": "Alamat umpan",
        "match": "Hanya yang cocok dengan (regex, boleh kosong)",
        "follow": "Ikuti",
        "unfollow": "Berhenti",
        "poll": "Periksa umpan sekarang",
        "polling": "Memeriksa umpan {done}/{total}: {feed}",
        "poll_asked": "Umpan akan diperiksa di latar belakang; lihat statusnya di bawah.",
        "never_polled": "belum diperiksa",
        "feed_result": "{links} tautan, {new} baru, {added} ditambah, {skipped} dilewati, "
        "{failed} gagal",
        "no_feeds": "Belum ada umpan.",
        "saved": "Disimpan",
        "failed": "Gagal",
        "nothing_saved": "Tidak ada yang disimpan.",
        "follow_job": "Ikuti pembaruan #{job}",
        "deleted": "Dihapus: {id}",
        "following": "Mengikuti {url} ({links} tautan saat ini).",
        "unfollowed": "Berhenti mengikuti {url}.",
        "no_such_article": "Tidak ada artikel dengan id “{id}”.",
        "job": "Pembaruan indeks #{job}",
        "job_waiting": "Menunggu giliran…",
        "job_running": "Berjalan: {stage}",
        "job_done": "Selesai.",
        "job_failed": "Gagal: {error}",
        "job_report": "{added} ditambah, {updated} diubah, {removed} dihapus",
        "back_admin": "Kembali ke pengelolaan",
        "read": "Baca",
    },
    "en": {
        "admin": "Maintenance",
        "admin_off": "Maintenance is off: run the server with QA_API_KEY (or --api-key).",
        "sign_in": "Sign in",
        "sign_in_help": "Enter this server's API key.",
        "key": "API key",
        "wrong_key": "Wrong key.",
        "throttled": "Too many wrong keys from this address; try again in {minutes} min.",
        "sign_out": "Sign out",
        "forged": "The form expired or was forged (CSRF token mismatch). Reload the page and "
        "try again.",
        "expired": "Your session ended; please sign in again.",
        "status": "Index status",
        "generation": "generation {generation}, {articles} articles, {passages} passages",
        "update_running": "Update #{job} running: {stage} {done}/{total}",
        "update_idle": "No update running.",
        "queued": "{count} queued",
        "last_error": "Last error",
        "refresh": "Refresh",
        "add_links": "Add by link",
        "links": "Article links, one per line",
        "add": "Add",
        "paste": "Paste text",
        "paste_help": "Cleaned like a scraped .txt page.",
        "title": "Title",
        "outlet": "Outlet",
        "date": "Date",
        "url": "Original link (optional)",
        "text": "Article text",
        "save": "Save",
        "upload": "Upload a file",
        "upload_help": ".txt, .md, .html or .jsonl, in UTF-8.",
        "file": "File",
        "send": "Upload",
        "delete": "Delete an article",
        "article_id": "Article id",
        "delete_button": "Delete",
        "newest": "Newest articles",
        "feeds": "Feeds",
        "feeds_help": "RSS/Atom, a sitemap, or a homepage that links its feed.",
        "feed_url": "Feed address",
        "match": "Only those matching (regex, optional)",
        "follow": "Follow",
        "unfollow": "Unfollow",
        "poll": "Poll feeds now",
        "polling": "Polling feeds {done}/{total}: {feed}",
        "poll_asked": "The feeds will be polled in the background; see their status below.",
        "never_polled": "not polled yet",
        "feed_result": "{links} links, {new} new, {added} added, {skipped} skipped, "
        "{failed} failed",
        "no_feeds": "No feeds yet.",
        "saved": "Saved",
        "failed": "Failed",
        "nothing_saved": "Nothing was saved.",
        "follow_job": "Follow update #{job}",
        "deleted": "Deleted: {id}",
        "following": "Following {url} ({links} links now).",
        "unfollowed": "No longer following {url}.",
        "no_such_article": "No article with id “{id}”.",
        "job": "Index update #{job}",
        "job_waiting": "Waiting its turn…",
        "job_running": "Running: {stage}",
        "job_done": "Finished.",
        "job_failed": "Failed: {error}",
        "job_report": "{added} added, {updated} updated, {removed} removed",
        "back_admin": "Back to maintenance",
        "read": "Read",
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
