"""Options and error handling shared by every sub-command."""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qa.errors import QAError
from qa.settings import option

if TYPE_CHECKING:
    from qa.serve.service import Service

corpus_option = option(
    "corpus",
    "--corpus",
    "corpus_dir",
    type=click.Path(path_type=Path, file_okay=False),
)
index_option = option(
    "index",
    "--index",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
)
cluster_option = option("cluster", metavar="ADDRESS")


def clean_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the package's named errors into a one-line message and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except QAError as error:
            raise click.ClickException(str(error)) from error

    return wrapper


@contextmanager
def indexing_service(corpus_dir: Path, index_dir: Path) -> Iterator["Service"]:
    """A Service for one command's writes: they go to the corpus folder and, before the
    command ends, into the index (a running server picks the new generation up)."""
    from qa.serve.service import Service  # loads the index machinery: only for commands that write

    corpus_dir.mkdir(parents=True, exist_ok=True)
    service = Service(corpus_dir, index_dir)
    service.open(catch_up=False)
    try:
        yield service
        service.wait_idle(timeout=24 * 3600)
        if service.state.last_error:
            raise click.ClickException(f"indexing failed: {service.state.last_error}")
        if report := service.state.last_report:
            click.echo(
                f"indexed: generation {report['generation']}, {len(report['added'])} added, "
                f"{len(report['updated'])} updated, {report['unchanged']} unchanged"
            )
    finally:
        service.close()
