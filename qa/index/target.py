"""Which build an update writes into: the current one, an unfinished one to resume, or a new one.

An update keeps the settings the current build was made with (and refuses an explicit setting
that differs); a rebuild, or the first build, starts a new build with the settings asked for,
unless an unfinished build with the very same settings waits to be resumed. A new build takes
the vectors it can from the current build's store (its donor) when the embedder is the same.
"""

from dataclasses import dataclass
from pathlib import Path

from qa.embedders import Embedder, get_embedder
from qa.errors import IndexMismatch, IndexMissing
from qa.index.folder import STORE_FILE, IndexFolder
from qa.index.manifest import Manifest
from qa.settings import get as setting
from qa.text.passages import PassageSettings


def index_settings(
    embedder: Embedder, passages: PassageSettings | None = None, faiss: str | None = None
) -> dict:
    """The settings a build is made with and stored under (its manifests carry them)."""
    return {
        "embedder": embedder.name,
        "dimension": embedder.dimension,
        "passages": (passages or PassageSettings()).describe(),
        "faiss": faiss or setting("faiss"),
    }


@dataclass
class Target:
    """The build an update writes into and the generation it starts from."""

    build: str
    base: Manifest | None  # None: the build has no generation yet
    settings: dict
    building: bool  # a build that is not current yet
    donor: Path | None = None  # the store of the build it replaces, if with the same embedder


def choose_target(
    folder: IndexFolder, rebuild: bool, requested: dict, embedder: Embedder | None
) -> Target:
    """Where to write: the current build, an unfinished build to resume, or a new build."""
    wanted_embedder = embedder.name if embedder else requested.get("embedder")
    if not rebuild and folder.current_pointer() is not None:
        base = folder.current()
        _check_same(base.settings, wanted_embedder, requested)
        return Target(base.build, base, base.settings, building=False)
    embedder = embedder or get_embedder(wanted_embedder or setting("embedder"))
    settings = index_settings(embedder, requested.get("passages"), requested.get("faiss"))
    donor = _donor(folder, settings)
    unfinished = folder.unfinished_build()
    if unfinished is not None:
        build, unfinished_settings = unfinished
        if unfinished_settings == settings:  # resume it
            manifests = folder.manifests(build)
            base = manifests[-1] if manifests else None
            return Target(build, base, settings, building=True, donor=donor)
        folder.abandon_build(build)
    return Target(folder.new_build(settings), None, settings, building=True, donor=donor)


def _donor(folder: IndexFolder, settings: dict) -> Path | None:
    """The store of the current build, when a new build can take its vectors: same embedder
    (a new FAISS type or passage size re-embeds only texts it has not seen)."""
    try:
        current = folder.current() if folder.current_pointer() else None
    except (IndexMismatch, IndexMissing):
        return None
    if current is None:
        return None
    same = all(current.settings.get(k) == settings[k] for k in ("embedder", "dimension"))
    return folder.build_folder(current.build) / STORE_FILE if same else None


def _check_same(settings: dict, embedder_name: str | None, requested: dict) -> None:
    passages = requested.get("passages")
    wanted = {
        "embedder": embedder_name and get_embedder(embedder_name).name,
        "passages": passages and passages.describe(),
        "faiss": requested.get("faiss"),
    }
    for key, value in wanted.items():
        if value and value != settings.get(key):
            raise IndexMismatch(
                f"The index was built with {key} {settings.get(key)!r}, not {value!r}: "
                "run `qa index build` to rebuild it with the new setting"
            )
