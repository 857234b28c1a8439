"""What the tests share: the API's passage shape, sample article files, made-up articles."""

# The fields of a Passage in /api/ask, /api/search and `qa ask --json` (the spec).
PASSAGE_KEYS = {
    "passage_id",
    "article_id",
    "title",
    "source",
    "url",
    "published",
    "text",
    "score",
    "highlights",
    "also_in",  # the story's copies in other articles (issue 13)
}

# A short Tribunnews article on the OSH proposal to Korea, as a corpus .md file.
TRIBUN_OSH_KOREA = """---
id: tribun-osh-korea
title: Kemnaker belum terima kejelasan proposal OSH dari Korea
source: Tribunnews.com
published: 2023-07-21
url: https://www.tribunnews.com/nasional/2023/07/21/kemnaker-osh-korea
---

Kementerian Ketenagakerjaan mengajukan proposal Improvement on Indonesia's OSH Policy kepada \
Pemerintah Korea pada akhir tahun 2022.

"Namun hingga saat ini kami belum menerima kejelasan informasi dari Pemerintah Korea terkait \
hasil seleksi proposal OSH tersebut," kata Sekjen Anwar Sanusi.
"""

# A short Suara.com article on the SLOM+3 agreement on migrant workers, as a corpus .md file.
SUARA_SLOM_PLUS_THREE = """---
id: suara-slom-plus-three
title: ASEAN dan tiga negara mitra sepakat perkuat pelindungan pekerja migran
source: Suara.com
published: 2020-10-27
url: https://www.suara.com/bisnis/2020/10/27/slom-plus-three
---

Dalam pertemuan SLOM+3 di Jakarta, negara-negara ASEAN bersama Tiongkok, Jepang dan Korea \
Selatan sepakat memperkuat pelindungan pekerja migran.

Kerja sama juga mencakup pelatihan vokasi dan pertukaran data pasar kerja.
"""


CITIES = ["Bitung", "Kupang", "Medan", "Sorong", "Cilegon", "Pontianak", "Mataram", "Ambon"]
TRADES = ["las", "otomotif", "tata boga", "garmen", "listrik", "perhotelan", "agribisnis"]


def code_word(number: int) -> str:
    """A made-up word found in one article only: "zorab", "zorac", ... (letters, for BM25)."""
    letters = ""
    for _ in range(3):
        number, digit = divmod(number, 26)
        letters = chr(ord("a") + digit) + letters
    return f"zor{letters}"


def long_article(number: int, sentences: int) -> dict:
    """An article of several passages, as the API takes it; `code_word(number)` names it."""
    word, city = code_word(number), CITIES[number % len(CITIES)]
    text = " ".join(
        f"Pada tahap {step + 1}, peserta program {word} dari {city} mempelajari "
        f"{TRADES[(number + step) % len(TRADES)]} selama {step + 3} minggu bersama "
        f"{10 + number + step} instruktur bersertifikat."
        for step in range(sentences)
    )
    return {
        "id": f"laporan-{number:03d}",
        "title": f"Laporan program {word} di {city}",
        "text": text,
        "source": "Fault News",
        "published": "2024-02-01",
    }


def search_text(index, text: str, **options) -> list:
    """`qa.search.retrieval.search` for `text`, its Query made as the service makes it."""
    from qa.search.query import Query
    from qa.search.retrieval import SearchOptions, search

    chosen = SearchOptions(**options)
    return search(index, Query.of(text, index.embedder if chosen.mode.embeds else None), chosen)


def ask_text(index, text: str, **options):
    """`qa.search.answer.ask` for `text`, with ask's options unless `options` say otherwise."""
    from dataclasses import replace

    from qa.search.answer import ASK_OPTIONS, ask
    from qa.search.query import Query

    return ask(index, Query.of(text, index.embedder), replace(ASK_OPTIONS, **options))


# Four articles from three outlets and two languages, as corpus files (name -> text): what
# the API tests and the adapter contract tests serve.
FOUR_ARTICLES = {
    "tribun-osh-korea": TRIBUN_OSH_KOREA,
    "kompas-magang-jepang": """---
id: kompas-magang-jepang
title: Kemnaker dan JICA kirim peserta magang ke Jepang
source: Kompas.com
published: 2022-03-15
url: https://www.kompas.com/2022/03/15/magang-jepang
---

Kementerian Ketenagakerjaan bersama Japan International Cooperation Agency (JICA) \
memberangkatkan 120 peserta program magang ke Jepang.

Para peserta akan bekerja di sektor konstruksi dan perawatan lansia selama tiga tahun.
""",
    "jakartapost-ilo-geneva": """---
id: jakartapost-ilo-geneva
title: Indonesia and the ILO discuss vocational training in Geneva
source: The Jakarta Post
published: 2023-11-03
url: https://www.thejakartapost.com/2023/11/03/ilo-geneva
---

Indonesia's manpower ministry met the International Labour Organization in Geneva to expand \
vocational training.

The ILO training centre in Turin will host Indonesian instructors next year.
""",
    "suara-slom-plus-three": SUARA_SLOM_PLUS_THREE,
}
