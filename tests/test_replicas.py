"""Several `qa serve` replicas over one corpus and index folder serve the same articles.

Two real servers on loopback share both folders, as replicas behind a load balancer would:
whichever takes a write holds the index's writer lock while it publishes, and each replica
follows the publications of the others. An article added through one replica's API is
served by the other within 5 s, and one deleted through the other is gone from the first
within 5 s. The first replica embeds on a Dask cluster (`QA_DASK_SCHEDULER`), the second in
its own process: both write the same index.
"""

import time

import httpx
import pytest
from distributed import get_task_stream
from samples import code_word, long_article
from server import LiveServer, wait_for_job, wait_idle

from qa.index.check import check_index
from qa.ingest.corpus import scan_corpus

pytestmark = pytest.mark.server

KEY = "replica-key-3456"
AUTH = {"Authorization": f"Bearer {KEY}"}
FOLLOW_WITHIN = 5.0  # seconds


def wait_served(server: LiveServer, article_id: str, present: bool, since: float) -> None:
    """Until `server` serves (or no longer serves) the article; fail after FOLLOW_WITHIN."""
    while True:
        status = httpx.get(f"{server.url}/api/articles/{article_id}", timeout=10).status_code
        if status == (200 if present else 404):
            return
        waited = time.monotonic() - since
        assert waited < FOLLOW_WITHIN, f"{article_id} still {status} after {waited:.1f}s"
        time.sleep(0.1)


def test_a_write_through_one_replica_is_served_by_the_other(site, dask_cluster):
    corpus, index = site
    scheduler = dask_cluster.client.scheduler.address
    with (
        LiveServer(corpus, index, api_key=KEY, env={"QA_DASK_SCHEDULER": scheduler}) as first,
        LiveServer(corpus, index, api_key=KEY) as second,
    ):
        wait_idle(first)
        wait_idle(second)
        article = long_article(900, sentences=3)
        with get_task_stream(dask_cluster.client) as tasks:
            response = httpx.post(f"{first.url}/api/articles", json=article, headers=AUTH)
            assert response.status_code == 202, response.text
            wait_for_job(first, response.json()["job"])
        published = time.monotonic()
        assert any(str(task["key"]).startswith("embed-") for task in tasks.data)
        wait_served(second, article["id"], present=True, since=published)
        query = {"q": code_word(900), "mode": "bm25"}  # a word only that article has
        hits = httpx.get(f"{second.url}/api/search", params=query, timeout=10)
        assert hits.json()["results"][0]["article_id"] == article["id"]

        response = httpx.delete(f"{second.url}/api/articles/{article['id']}", headers=AUTH)
        assert response.status_code == 202, response.text
        wait_for_job(second, response.json()["job"])
        wait_served(first, article["id"], present=False, since=time.monotonic())
        assert first.status()["generation"] == second.status()["generation"]
    assert check_index(index, scan_corpus(corpus).articles) == []
