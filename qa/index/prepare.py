"""Articles into passages ready to store: cut, with their terms and the hash of their text.

This is what the indexer does per article before embedding, and the one step of it that is
costly: counting tokens to cut passages runs the embedder's tokenizer several times per
passage (about 95% of a build's work besides embedding; docs/scaling.md). It runs where the
embedder is: in the writing process, or on the Dask workers (`qa.cluster`).
"""

from qa.articles import Article
from qa.index.store import NewPassage, text_hash
from qa.text.passages import PassageSettings, TokenCounter, cut_passages, embedding_text
from qa.text.terms import tokenize


def new_passages(
    article: Article, settings: PassageSettings, count_tokens: TokenCounter
) -> list[NewPassage]:
    """The article's passages, each with its BM25 terms and the hash its vector is stored by."""
    return [
        NewPassage(
            passage,
            tokenize(f"{article.title} {passage.text}"),
            text_hash(embedding_text(article.title, passage.text)),
        )
        for passage in cut_passages(article, settings, count_tokens)
    ]
