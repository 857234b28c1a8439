"""How index work (builds, updates, merges, sentence vectors) says how far it has got."""

from collections.abc import Callable

# Called as work advances: its stage ("embedding", "published", ...), units done, units in all.
Progress = Callable[[str, int, int], None]


def silent(stage: str, done: int, total: int) -> None:
    """The progress callback that reports nothing: the default where nobody watches."""
