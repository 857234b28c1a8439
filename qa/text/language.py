"""Tell Indonesian from English by function words: deterministic, fast, fine on short queries."""

import re

_WORD = re.compile(r"[a-zA-Z]+")

INDONESIAN = frozenset(
    """yang dan di ke dari untuk dengan pada ini itu adalah dalam tidak akan oleh juga
    sebagai atau telah sudah bisa dapat karena tersebut para kami kita mereka saya ia
    dia apa siapa kapan dimana mana bagaimana berapa mengapa kenapa apakah bagi antara
    serta hingga sejak tahun bahwa belum masih lebih secara ada seperti namun tentang
    terhadap soal ujar kata kerja sama negara pemerintah menteri tenaga pekerja""".split()
)
ENGLISH = frozenset(
    """the and of to in is are was were for with on at by from this that these those be
    been has have had what who when where which why how did does do will would can could
    should it its as an a or not but about into than their there they we you he she his
    her our status agree agreed between""".split()
)


def detect_language(text: str, default: str = "id") -> str:
    """Return "id" or "en": whichever language's function words occur more often in `text`."""
    words = [w.lower() for w in _WORD.findall(text[:5000])]
    indonesian = sum(w in INDONESIAN for w in words)
    english = sum(w in ENGLISH for w in words)
    if indonesian == english:
        return default
    return "id" if indonesian > english else "en"
