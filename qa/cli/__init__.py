"""The `qa` command: one group, one module per sub-command group."""

import click

from qa.cli import corpus as corpus_commands


@click.group()
@click.version_option(package_name="qa")
def cli() -> None:
    """Semantic search and question answering over news articles.

    \b
    Example:
        qa corpus check corpus/
    """


cli.add_command(corpus_commands.corpus)
