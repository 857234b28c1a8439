"""Each furniture rule on small pages: it cuts the furniture out of the line it sits in, and a
real sentence that looks like it (it mentions video, WhatsApp, a copyright...) stays whole."""

import pytest

from qa.ingest.readers.inline import split_furniture
from qa.ingest.readers.scraped import parse_page

LEAD = "Kemnaker membuka pelatihan vokasi bagi pencari kerja di Jakarta, Senin (3/6/2024)."
CLOSE = "Sementara itu, pelatihan berlangsung selama tiga bulan di berbagai daerah."


def body(*lines: str) -> str:
    """The article text parse_page makes of a page with these lines (the first has a dateline)."""
    return parse_page("\n".join(["Liputan6.com, Jakarta - " + LEAD, *lines])).text


def one_line(furniture: str) -> str:
    """The article text of a page whose lead, furniture and closing sentence share one line."""
    return parse_page(f"Liputan6.com, Jakarta - {LEAD} {furniture} {CLOSE}").text


def assert_stays(sentence: str) -> None:
    """A real sentence that looks like furniture, between the lead and the closing sentence,
    is kept whole."""
    assert sentence in one_line(sentence)


def assert_closes(furniture: str) -> None:
    """Furniture after the last sentence on the line is cut: the article ends with CLOSE."""
    assert parse_page(f"Jakarta - {LEAD} {CLOSE} {furniture}").text.endswith(CLOSE)


def assert_cut(text: str, *junk: str) -> None:
    """The lead and the closing sentence are whole, and none of the junk is left."""
    assert text.startswith(LEAD) and text.endswith(CLOSE), text
    for item in junk:
        assert item not in text, item


@pytest.mark.parametrize(
    "furniture",
    [
        "ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT",
        "ADVERTISEMENTSCROLL TO CONTINUE WITH CONTENT",
        "Scroll to continue with content",
        "Advertisement",
        "[Gambas:Video 20detik]",
        "Simak berita selengkapnya di halaman selanjutnya.",
    ],
)
def test_ad_markers_inside_a_line(furniture):
    assert_cut(one_line(furniture), furniture)


def test_advertisement_in_prose_stays():
    sentence = "Perusahaan itu memasang advertisement di media sosial selama sepekan."
    assert_stays(sentence)


@pytest.mark.parametrize(
    "furniture",
    [
        "Baca juga: Menaker Buka Job Fair Nasional di Jakarta",
        "BACA JUGA: Menaker Buka Job Fair Nasional di Jakarta",
        "Baca: Jawaban Soal SMP, Senin 4 Mei 2020, Belajar dari Rumah di TVRI",
    ],
)
def test_related_article_inside_a_line(furniture):
    assert_cut(one_line(furniture), "Menaker Buka", "Jawaban Soal", "Baca")


def test_related_headline_glued_to_the_next_paragraph():
    text = parse_page(
        f'Jakarta - {LEAD}Baca juga:Hadiri Forum ILO, Menaker Ungkap Pentingnya Kerja Layak"Kami '
        f'ingin pelatihan ini berhasil," katanya.{CLOSE}'
    ).text
    assert "Hadiri Forum" not in text
    assert '"Kami ingin pelatihan ini berhasil," katanya.' in text


def test_related_headline_ends_before_the_sentence_opener():
    text = one_line("Baca juga: Kemnaker Prediksi Pekerjaan yang Meningkat Menurutnya, itu wajar.")
    assert "Kemnaker Prediksi" not in text and "Menurutnya, itu wajar." in text


def test_related_headlines_glued_in_a_row():
    text = parse_page(
        f"Jakarta - {LEAD}Baca JugaOmbudsman Temukan Kasus Sekolah tak Terbitkan SKLKuota Haji "
        f"Indonesia 2026 Terancam Dipangkas 50 PersenAdapun hingga saat ini belum ada laporan."
    ).text
    assert "Ombudsman" not in text and "Kuota Haji" not in text
    assert text.endswith("Adapun hingga saat ini belum ada laporan.")


def test_reading_in_prose_stays():
    sentence = "Baca juga buku panduan itu sebelum mendaftar, kata dia."
    assert_stays(sentence)


@pytest.mark.parametrize(
    "furniture",
    [
        'Simak Video "Penyakit Jantung Penyakit Orang Tua?" [Gambas:Video 20detik]',
        "Lihat juga Video 'Momen Wamenaker Sidak Perusahaan':",
        "Tonton juga video: 79 Pasangan Siri di Majalengka Nikah Massal",
    ],
)
def test_video_teasers_inside_a_line(furniture):
    assert_cut(one_line(furniture), "Penyakit Jantung", "Momen Wamenaker", "Pasangan Siri")


@pytest.mark.parametrize(
    "sentence",
    [
        "Video itu kemudian viral di media sosial.",
        "Simak video berikut ini sampai habis.",
        "Video Presiden Jokowi berpidato beredar luas di media sosial.",
    ],
)
def test_sentences_about_a_video_stay(sentence):
    assert_stays(sentence)


def test_editor_initials_and_tags_after_them():
    assert_closes("(eva/fca) stroke penyakit jantung")
    text = parse_page(f"Jakarta - {LEAD}\n{CLOSE}\n(akn/ega)\nkemnaker\nHoegeng Awards 2025").text
    assert text.endswith(CLOSE)


def test_units_in_brackets_stay():
    sentence = "Kecepatan maksimal 100 (km/jam) dicapai dalam delapan detik."
    assert_stays(sentence)


def test_syndication_notice_inside_a_line():
    furniture = (
        'Artikel ini telah tayang di Kompas.com dengan judul "Menaker Buka Job Fair". Klik untuk '
        "baca: https://nasional.kompas.com/read/2024/06/03/1/menaker"
    )
    assert_cut(one_line(furniture), "Artikel ini", "Menaker Buka", "kompas.com/read")
    assert_cut(
        one_line("Artikel ini sudah lebih dulu tayang di detikjabar. Selengkapnya klik di sini.")
    )


def test_syndication_headline_on_the_next_line():
    text = body(
        CLOSE,
        "Artikel ini telah tayang di Kontan.co.id dengan judul",
        "Klaim JKP Melonjak, BPJS Watch Sebut PHK Jadi Pemicu",
    )
    assert text.endswith(CLOSE)


def test_sentence_about_a_broadcast_stays():
    sentence = "Artikel ini membahas tayangan di televisi nasional."
    assert_stays(sentence)


@pytest.mark.parametrize(
    "furniture",
    [
        "Simak breaking news dan berita pilihan kami langsung di ponselmu. Pilih saluran andalanmu "
        "akses berita Kompas.com WhatsApp Channel : https://www.whatsapp.com/channel/0029Va. "
        "Pastikan kamu sudah install aplikasi WhatsApp ya.",
        "Ikuti Whatsapp Channel Republika",
        "Akses TribunJakarta.com di Google News atau WhatsApp Channel TribunJakarta.com.",
        "Baca berita Wartakotalive.com lainnya di Google News.",
    ],
)
def test_channel_promotions_inside_a_line(furniture):
    assert_cut(one_line(furniture), "WhatsApp", "Whatsapp", "Google News", "ponselmu")


@pytest.mark.parametrize(
    "sentence",
    [
        "Warga bisa melapor melalui WhatsApp di nomor 0812-1621-162.",
        "Ikuti langkah berikut untuk membuat WhatsApp Channel.",
        "Pastikan nomor WhatsApp kamu selalu aktif ya.",
        "Simak informasi selengkapnya di bawah ini.",
    ],
)
def test_sentences_about_whatsapp_stay(sentence):
    assert_stays(sentence)


@pytest.mark.parametrize(
    "furniture",
    [
        "© 2020 TRIBUNnews.com,a subsidiary of KG Media. All Right Reserved",
        "COPYRIGHT © ANTARA 2017",
        "Disclaimer : Komentar adalah tanggapan pribadi, tidak mewakili kebijakan redaksi.",
    ],
)
def test_footers_at_the_end_of_a_line(furniture):
    assert_closes(furniture)


def test_copyright_in_prose_stays():
    sentence = "Hak cipta lagu itu kini dimiliki label rekaman asal Jakarta."
    assert_stays(sentence)


def test_byline_and_signature_at_the_end_of_a_line():
    assert_closes("Penulis: Arby Salim Advertisement")
    assert_closes("DINI TEJA")
    sentence = "Penulis buku itu hadir dalam peluncuran di Jakarta."
    assert_stays(sentence)


def test_heading_in_capitals_stays():
    assert "\n\nKPK DAN POLRI\n\n" in body("KPK DAN POLRI", CLOSE)


def test_photo_caption_glued_to_the_first_paragraph():
    text = parse_page(f"Jakarta - Ilustrasi stroke. (Foto: Getty Images/iStockphoto) {LEAD}").text
    assert text == LEAD
    sentence = "Dokumen itu (dokumen resmi kementerian) diserahkan kemarin."
    assert_stays(sentence)


def test_related_list_to_the_end_of_a_line():
    text = parse_page(
        f"Jakarta - {LEAD} {CLOSE} FOTO TERKAIT: - Selasa, 23 Februari 2016 KPK Periksa Pejabat "
        "Mahkamah Agung - Senin, 22 Februari 2016 Akhirnya Revisi UU KPK Ditunda"
    ).text
    assert text.endswith(CLOSE)


@pytest.mark.parametrize("heading", ["Pilihan Ganda", "Update terbaru akan disampaikan besok."])
def test_words_of_list_headers_in_the_article_stay(heading):
    assert heading in body(heading, CLOSE)


def test_comment_box_speaking_to_the_reader():
    text = body(CLOSE, "Periksa kembali dan lengkapi data dirimu.")
    assert text.endswith(CLOSE)
    sentence = "Pastikan akunmu sudah tidak aktif selama beberapa waktu."
    assert_stays(sentence)


def test_related_headline_alone_between_paragraphs():
    first = '"Dengan mengeluarkan surat instruksi, setiap pasangan menanam dua pohon," ucapnya.'
    after = "Di sisi lain, Dadang juga meminta masyarakat menjaga lingkungan dari sampah."
    text = body(
        first, "Banjir dan Longsor Terjang Cilacap, 1 Orang Tewas Belasan Rumah Rusak", after
    )
    assert "Banjir" not in text and first in text and after in text


def test_subheading_alone_between_paragraphs_stays():
    before = "Jembatan penyeberangan itu kembali dibuka untuk para siswa, kata Redy."
    heading = "Sudah Berkali-kali Ditabrak, Tapi Tetap Berdiri dan Diperbaiki"
    after = "Jembatan itu sudah berkali-kali ditabrak truk, tetapi tetap berdiri dan diperbaiki."
    assert heading in body(before, heading, after)


def test_split_furniture_keeps_the_text_around_in_order():
    line = "Kalimat pertama. ADVERTISEMENT Kalimat kedua. [Gambas:Video 20detik] Kalimat ketiga."
    assert split_furniture(line) == [
        "Kalimat pertama.",
        "ADVERTISEMENT",
        "Kalimat kedua.",
        "[Gambas:Video 20detik]",
        "Kalimat ketiga.",
    ]


def test_sidebar_entries_with_their_times():
    text = body(
        "- Kamis, 05/11/2015 09:25 WIB",
        "Kamis, 05/11/2015 09:25 WIB Ini Dia Tempat Terbasah di Dunia, Hujan Bisa 24 Jam",
        "04Kamis, 05/11/2015 09:21 WIB Penerus iPhone 5C bakal Metal",
        "01",
        CLOSE,
    )
    assert text == f"{LEAD}\n\n{CLOSE}"
    for article_line in (
        "Senin, 3 Juni 2024 pukul 10.00 WIB, Menaker meninjau lokasi banjir.",
        "Rabu, 21 Mei 2025 07.30 WIB : Timberwolves vs Thunder",  # a schedule
        "1",  # a cell of a standings table
    ):
        assert f"\n\n{article_line}\n\n" in body(article_line, CLOSE)


def test_contact_lines():
    text = body(CLOSE, "Redaksi: redaksi[at]detikfinance.com", "KONTAK: info@example.com")
    assert text.endswith(CLOSE)
    sentence = "Warga dapat mengirim laporan ke pengaduan@kemnaker.go.id."
    assert sentence in body(sentence, CLOSE)


# The examples below were written for these tests, in the shape of pages from outlets in
# neither development set; each family has a look-alike of the article's own prose that stays.
@pytest.mark.parametrize("mark", ["(Mvi/Ali)", "(Tira Santia)"])
def test_initials_or_reporter_in_capitalised_brackets_close_the_article(mark):
    assert_closes(mark)


def test_brackets_closing_a_sentence_stay():
    assert_stays("Dana itu dikelola Otoritas Jasa Keuangan (OJK).")
    assert_stays("Rapat digelar di Gedung Sate (Bandung) pada pagi hari.")


@pytest.mark.parametrize(
    "furniture",
    [
        "Dapatkan update berita pilihan setiap hari dari Kompas.com. Klik di Sini",
        "Info terbaru seputar ekonomi di WhatsApp Channel kami, Klik di Sini",
        "Ikuti berita terkini dari kami di Google News, klik di sini",
        "Gabung ke saluran Telegram kami untuk berita terkini, klik di sini.",
    ],
)
def test_channel_promotions_ending_with_click_here(furniture):
    assert_cut(body(furniture, CLOSE), furniture)


def test_info_sentence_about_a_channel_stays():
    assert_stays("Info itu beredar di grup WhatsApp warga sejak Minggu malam.")


def test_fact_check_promo_block():
    pitch = (
        "Cek Fakta Liputan6.com merupakan media terverifikasi Jaringan Internasional Periksa "
        "Fakta (IFCN) dan mitra Facebook untuk memberantas hoaks."
    )
    ask = (
        "Jika Anda memiliki informasi seputar hoaks yang ingin kami telusuri, silakan hubungi "
        "nomor Cek Fakta Liputan6.com di 0811 0000 000."
    )
    assert_cut(body(pitch, ask, CLOSE), pitch, ask)


def test_fact_check_reporting_stays():
    text = "Tim Cek Fakta menelusuri klaim itu dan menemukan bahwa video diambil pada 2019."
    assert text in body(text, CLOSE)


def test_related_headlines_in_a_row_without_a_label():
    headlines = [
        "Harga Cabai Rawit di Pasar Induk Kramat Jati Naik Tajam",
        "Polisi Tangkap Pelaku Pencurian Motor di Bekasi Timur",
    ]
    assert_cut(body(*headlines, CLOSE), *headlines)


def test_subheadings_whose_words_recur_stay():
    """Two headings in a row that announce the paragraphs after them are the article's."""
    headings = ["Pelatihan Vokasi Dibuka di Jakarta", "Peserta Pelatihan dari Berbagai Daerah"]
    paragraph = "Peserta pelatihan vokasi datang dari berbagai daerah ke Jakarta."
    assert body(*headings, paragraph, CLOSE).split("\n\n")[1:3] == headings


@pytest.mark.parametrize(
    "caption",
    [
        "Presiden meninjau pelatihan vokasi di Jakarta, Senin (3/6/2024). (ANTARA FOTO/Sigid "
        "Kurniawan)",
        "Workers unload containers at the port in Surabaya on Jan. 10, 2026. (AFP/Budi Santoso)",
        "Peserta pelatihan mengikuti ujian praktik di balai latihan kerja. Photo: Humas Kemnaker",
    ],
)
def test_photo_caption_with_its_credit_inside_the_body(caption):
    assert_cut(body(caption, CLOSE), caption)


def test_sentence_naming_an_agency_and_a_person_in_brackets_stays():
    assert_stays("Kantor berita itu (AFP) mengutip juru bicara (Budi Santoso) pada Senin.")


def test_headline_glued_to_the_article_is_no_reason_to_reject_it():
    """A scrape whose related headlines run on into its sentences, with nowhere to tell where
    they end, keeps those sentences (the label goes) rather than nothing."""
    page = parse_page(
        "Kemnaker Buka Pelatihan Vokasi\n"
        "Baca juga: Harga Cabai Naik Tajam Kemnaker membuka pelatihan vokasi bagi pencari kerja "
        "di Jakarta"
    )
    assert page.text == (
        "Harga Cabai Naik Tajam Kemnaker membuka pelatihan vokasi bagi pencari kerja di Jakarta"
    )
