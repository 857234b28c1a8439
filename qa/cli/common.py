"""Options and error handling shared by every sub-command."""

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from qa.errors import QAError
from qa.settings import option

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
