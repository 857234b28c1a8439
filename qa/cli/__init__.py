"""The `qa` command: one group, one module per sub-command group."""

import click

from qa.cli.ask import ask
from qa.cli.corpus import corpus
from qa.cli.feeds import feeds
from qa.cli.index import index
from qa.cli.mcp import mcp
from qa.cli.serve import serve


@click.group()
@click.version_option(package_name="qa")
def cli() -> None:
    """Semantic search and question answering over news articles.

    \b
    Example:
        qa index build && qa ask "status proposal OSH Korea"
    """


for command in (corpus, feeds, index, ask, serve, mcp):
    cli.add_command(command)
