"""Options and error handling shared by every sub-command."""

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from qa.errors import QAError

corpus_option = click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="corpus",
    envvar="QA_CORPUS",
    show_default=True,
    help="Folder of article files (env QA_CORPUS).",
)
index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="index",
    envvar="QA_INDEX",
    show_default=True,
    help="Folder of the built index (env QA_INDEX).",
)


def clean_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the package's named errors into a one-line message and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except QAError as error:
            raise click.ClickException(str(error)) from error

    return wrapper
