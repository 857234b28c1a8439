"""What the tests share: the API's passage shape, and sample article files."""

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
