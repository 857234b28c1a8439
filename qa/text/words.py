"""The function words of Indonesian and English, written once.

Two jobs use them: the lexical tokenizer drops them (`qa.text.terms`: they match everything
and say nothing about a passage), and language detection counts them (`qa.text.language`: they
are the surest sign of which language a text is in). Each job adds a few of its own.
"""

INDONESIAN = frozenset(
    """yang dan di ke dari untuk dengan pada ini itu adalah dalam tidak akan oleh juga sebagai
    atau telah sudah bisa dapat karena tersebut para kami kita mereka saya ia dia apa siapa
    kapan dimana mana bagaimana berapa mengapa kenapa apakah bagi antara serta hingga sejak
    bahwa belum masih lebih secara ada seperti namun tentang terhadap""".split()
)
ENGLISH = frozenset(
    """the and of to in is are was were for with on at by from this that these those be been
    has have had what who when where which why how did does do will would can could should
    it its as an a or not but about into than their there they we you he she his her our""".split()
)

# Indonesian particles and clitics ("pun", "-lah", "-nya", "se-", which the tokenizer splits
# off as parts) and "yaitu"/"yakni" ("namely"): nothing a search could match on.
PARTICLES = frozenset("yaitu yakni pun lah kah nya se".split())

# What the tokenizer drops (a short list: news questions often hinge on content words only).
STOPWORDS = INDONESIAN | ENGLISH | PARTICLES

# What language detection counts: the function words, and words news in each language uses
# so often that they tell the language of a short question.
INDONESIAN_CUES = INDONESIAN | frozenset(
    "tahun soal ujar kata kerja sama negara pemerintah menteri tenaga pekerja".split()
)
ENGLISH_CUES = ENGLISH | frozenset("status agree agreed between".split())
