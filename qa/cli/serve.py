"""`qa serve`: the reading page and the JSON API over one corpus and index."""

import os
from pathlib import Path

import click
from tqdm import tqdm

from qa.cli.common import clean_errors, corpus_option, index_option
from qa.settings import option


def _interval(context: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """--poll-feeds in seconds ("30m" is 1800)."""
    from qa.feeds import parse_interval

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
@option("no_sync")
@option("poll_feeds", metavar="INTERVAL", callback=_interval)
@clean_errors
def serve(
    corpus_dir: Path,
    index_dir: Path,
    host: str,
    port: int,
    api_key: str | None,
    no_sync: bool,
    poll_feeds: float | None,
) -> None:
    """Serve the web page and the API; build the index from the corpus first if missing.

    On start-up the index catches up with the corpus folder in the background (articles
    added, changed or removed while no server ran); --no-sync skips that. The server then
    follows the index folder: a generation that another process publishes (`qa index
    update` from cron, another server) is served within a second or two.

    \b
    Example:
        qa serve --corpus corpus/ --index index/ --port 8000
        qa serve --index benchmarks/cache/synthetic-100000 --no-sync
        qa serve --api-key "$KEY" --poll-feeds 30m    # then sign in at /admin
    """
    # One OpenMP thread per query embedding: the server embeds on several request threads at
    # once, and OpenMP teams on top of them contend and spin (docs/benchmarks.md: +29%
    # throughput, -19% p95 under 8 clients). Must be set before the embedder library loads.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import uvicorn

    from qa.app import create_app
    from qa.service import Service

    service = Service(corpus_dir, index_dir, poll_seconds=poll_feeds)
    bar: tqdm | None = None

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if stage == "embedding":
            bar = bar or tqdm(total=total, desc="building index", unit="passage")
            bar.n = done
            bar.refresh()

    service.open(progress=progress, catch_up=not no_sync)
    if bar is not None:
        bar.close()
    click.echo(f"Serving {corpus_dir} ({service.index.name}) on http://{host}:{port}/")
    uvicorn.run(create_app(service, api_key=api_key, open_service=False), host=host, port=port)
