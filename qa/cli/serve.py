"""`qa serve`: the reading page and the JSON API over one corpus and index."""

import os
from pathlib import Path

import click
from tqdm import tqdm

from qa import settings
from qa.cli.common import clean_errors, cluster_option, corpus_option, index_option
from qa.settings import option


def _interval(context: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """--poll-feeds in seconds ("30m" is 1800)."""
    from qa.ingest.feeds import parse_interval

    try:
        return parse_interval(value) if value else None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@corpus_option
@index_option
@option("host")
@option("port")
@option("api_key")
@option("allowed_hosts")
@option("knowledge_id")
@option("no_sync")
@cluster_option
@option("poll_feeds", metavar="INTERVAL", callback=_interval)
@option("reranker", metavar="NAME_OR_PATH")
@clean_errors
def serve(
    corpus_dir: Path,
    index_dir: Path,
    host: str,
    port: int,
    api_key: str | None,
    allowed_hosts: str | None,
    knowledge_id: str,
    no_sync: bool,
    poll_feeds: float | None,
    cluster: str | None,
    reranker: str | None,
) -> None:
    """Serve the web page and the API; build the index from the corpus first if missing.

    Also served: the MCP tools at /mcp (streamable HTTP) and Dify's external knowledge API
    at POST /retrieval (README: "Use it from a chatbot").

    On start-up the index catches up with the corpus folder in the background (articles
    added, changed or removed while no server ran); --no-sync skips that. The server then
    follows the index folder: a generation that another process publishes (`qa index
    update` from cron, another server) is served within a second or two, so several servers
    over one index folder serve the same articles (replicas behind a load balancer).
    With --cluster, the passages of builds and updates are embedded on a Dask cluster.

    \b
    Example:
        qa serve --corpus corpus/ --index index/ --port 8000
        qa serve --index benchmarks/cache/synthetic-100000 --no-sync
        qa serve --cluster local:2
        qa serve --api-key "$KEY" --poll-feeds 30m    # then sign in at /admin
    """
    # One OpenMP thread per query embedding: the server embeds on several request threads at
    # once, and OpenMP teams on top of them contend and spin (docs/benchmarks.md: +29%
    # throughput, -19% p95 under 8 clients). Must be set before the embedder library loads.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import uvicorn

    from qa.cluster import connect
    from qa.search import rerank
    from qa.serve.app import create_app
    from qa.serve.service import Service

    rerank.use(reranker)
    rerank.current()  # loaded now: a name that cannot be loaded stops the start-up

    bar: tqdm | None = None

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if stage == "embedding":
            bar = bar or tqdm(total=total, desc="building index", unit="passage")
            bar.n = done
            bar.refresh()

    with connect(cluster) as workers:
        service = Service(corpus_dir, index_dir, poll_seconds=poll_feeds, cluster=workers)
        service.open(progress=progress, catch_up=not no_sync)
        if bar is not None:
            bar.close()
        click.echo(f"Serving {corpus_dir} ({service.index.name}) on http://{host}:{port}/")
        app = create_app(
            service,
            api_key=api_key,
            open_service=False,
            allowed_hosts=allowed_hosts,
            knowledge_id=knowledge_id,
        )
        proxies = settings.get("trusted_proxies")
        # Forwarded headers only from the proxies named: otherwise any client could name the
        # address the key throttle counts (qa/serve/auth.py)
        uvicorn.run(
            app, host=host, port=port, proxy_headers=bool(proxies), forwarded_allow_ips=proxies
        )
