from pathlib import Path

import pytest

from qa.articles import Article
from qa.text.passages import Passage, PassageSettings, approx_tokens, cut_passages, embedding_text
from qa.text.sentences import split_sentences

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


def words(text: str) -> int:
    """A transparent token counter for the tests: one token per word."""
    return len(text.split())


def article(text: str, id: str = "a1", title: str = "Judul") -> Article:
    return Article(id=id, title=title, text=text, language="id")


def numbered(count: int, length: int = 5) -> str:
    """`count` sentences of `length` words each, told apart by their first word."""
    return " ".join(f"S{i} " + " ".join(["kata"] * (length - 2)) + " akhir." for i in range(count))


def assert_consistent(art: Article, passages: list[Passage]) -> None:
    for ordinal, passage in enumerate(passages):
        assert passage.ordinal == ordinal
        assert passage.article_id == art.id
        assert passage.id == f"{art.id}#{ordinal}"
        assert passage.text == art.text[passage.start : passage.end]
        assert passage.sentences[0][0] == 0
        assert passage.sentences[-1][1] == len(passage.text)
        for start, end in passage.sentences:
            assert passage.text[start:end] == passage.text[start:end].strip() != ""
    for before, after in zip(passages, passages[1:], strict=False):
        assert after.end > before.end, "each passage adds something new"
        assert after.start >= before.start


def test_empty_article_has_no_passages():
    assert cut_passages(article(""), PassageSettings()) == []
    assert cut_passages(article(" \n\n "), PassageSettings()) == []


def test_short_article_is_one_passage():
    art = article("Kemnaker bekerja sama dengan Korea. Anwar Sanusi hadir di Indore.")
    [passage] = cut_passages(art, PassageSettings())
    assert (passage.start, passage.end, passage.text) == (0, len(art.text), art.text)
    assert passage.id == "a1#0"
    assert [passage.text[a:b] for a, b in passage.sentences] == [
        "Kemnaker bekerja sama dengan Korea.",
        "Anwar Sanusi hadir di Indore.",
    ]


def test_budget_is_respected_and_one_sentence_overlaps():
    art = article(numbered(12))  # 5 words a sentence: three fit in 16
    passages = cut_passages(art, PassageSettings(max_tokens=16, overlap_sentences=1), words)
    assert_consistent(art, passages)
    assert all(words(c.text) <= 16 for c in passages)
    firsts = [[c.text[a:b].split()[0] for a, b in c.sentences] for c in passages]
    assert firsts == [
        ["S0", "S1", "S2"],
        ["S2", "S3", "S4"],
        ["S4", "S5", "S6"],
        ["S6", "S7", "S8"],
        ["S8", "S9", "S10"],
        ["S10", "S11"],
    ]
    for before, after in zip(passages, passages[1:], strict=False):
        last = before.sentences[-1]
        assert after.text[: after.sentences[0][1]] == before.text[last[0] : last[1]]


def test_no_overlap():
    art = article(numbered(7))
    passages = cut_passages(art, PassageSettings(max_tokens=10, overlap_sentences=0), words)
    assert_consistent(art, passages)
    assert [len(c.sentences) for c in passages] == [2, 2, 2, 1]
    assert all(
        after.start > before.end for before, after in zip(passages, passages[1:], strict=False)
    )


def test_overlap_that_does_not_fit_is_dropped_and_never_loops():
    art = article(numbered(4, length=8))
    # Only one 8-word sentence fits in 10 tokens: the overlap cannot come along.
    passages = cut_passages(art, PassageSettings(max_tokens=10, overlap_sentences=3), words)
    assert_consistent(art, passages)
    assert [len(c.sentences) for c in passages] == [1, 1, 1, 1]


# Seeds live beside the checkout (../shared); on a bare clone there are none and this skips.
@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_every_sentence_is_in_some_passage(path):
    art = article(path.read_text(encoding="utf-8"), id=path.stem)
    passages = cut_passages(art, PassageSettings(max_tokens=60))
    assert_consistent(art, passages)
    assert len(passages) > 3
    covered = {(c.start + a, c.start + b) for c in passages for a, b in c.sentences}
    assert set(split_sentences(art.text)) <= covered
    assert all(approx_tokens(c.text) <= 60 or len(c.sentences) == 1 for c in passages)


def test_sentence_over_budget_is_its_own_passage():
    long = "Panjang " + " ".join(["kata"] * 14) + " selesai."  # 16 words
    art = article(f"Awal pendek sekali. {long} Akhir pendek sekali.")
    passages = cut_passages(art, PassageSettings(max_tokens=10, overlap_sentences=1), words)
    assert_consistent(art, passages)
    assert [c.text for c in passages] == ["Awal pendek sekali.", long, "Akhir pendek sekali."]


def test_sentence_over_twice_the_budget_is_split_at_commas():
    clauses = [f"klausa {i} " + " ".join(["kata"] * 5) for i in range(6)]  # 7 words each
    sentence = ", ".join(clauses) + "."
    art = article(sentence)
    passages = cut_passages(art, PassageSettings(max_tokens=10, overlap_sentences=0), words)
    assert_consistent(art, passages)
    assert [c.text for c in passages] == [f"{c}," for c in clauses[:-1]] + [f"{clauses[-1]}."]


def test_sentence_with_no_commas_is_split_between_words():
    sentence = " ".join(f"w{i}" for i in range(45)) + "."
    art = article(sentence)
    passages = cut_passages(art, PassageSettings(max_tokens=10, overlap_sentences=1), words)
    assert_consistent(art, passages)
    assert all(words(c.text) <= 10 for c in passages)
    # Pieces fill the budget, so there is no room left for overlap.
    assert [c.text.split()[0] for c in passages] == ["w0", "w10", "w20", "w30", "w40"]
    assert " ".join(c.text for c in passages) == sentence


def test_deterministic():
    text = (
        "Sekjen Kemnaker, Anwar Sanusi, bertemu Menteri Tenaga Kerja Korea di Indore, "
        'Jumat (21/7/2023). "Saya percaya kerja sama ini semakin kuat," ujar Anwar.\n'
    ) * 20
    settings = PassageSettings(max_tokens=50, overlap_sentences=1)
    first = cut_passages(article(text), settings)
    assert len(first) > 5
    assert first == cut_passages(article(text), settings)


def test_settings_describe_round_trips():
    settings = PassageSettings(max_tokens=200, overlap_sentences=2)
    assert settings.describe() == {"max_tokens": 200, "overlap_sentences": 2}
    assert PassageSettings(**settings.describe()) == settings


@pytest.mark.parametrize("bad", [{"max_tokens": 0}, {"overlap_sentences": -1}])
def test_settings_reject_nonsense(bad):
    with pytest.raises(ValueError):
        PassageSettings(**bad)


def test_approx_tokens():
    assert approx_tokens("") == 0
    assert approx_tokens("Kemnaker bekerja sama.") == 5  # ceil(1.3 * 3) + 1
    assert approx_tokens("Jumat (15/7/2022).") == 11  # ceil(1.3 * 4) + 5


def test_embedding_text():
    assert embedding_text("Kemnaker dan Korea", "Isi berita.") == "Kemnaker dan Korea\nIsi berita."
    assert embedding_text("  ", "Isi berita.") == "Isi berita."
