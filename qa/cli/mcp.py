"""`qa mcp`: the MCP tools over stdio, for desktop assistants that launch their servers."""

from pathlib import Path

import click

from qa.cli.common import clean_errors, corpus_option, index_option
from qa.settings import option


@click.command()
@corpus_option
@index_option
@option("no_sync")
@clean_errors
def mcp(corpus_dir: Path, index_dir: Path, no_sync: bool) -> None:
    """Serve the MCP tools (ask, search, get_article, list_sources) over stdin and stdout.

    For MCP clients that start their servers themselves (Claude Desktop, Cursor, VS Code);
    `qa serve` offers the same tools over HTTP at /mcp. The index is opened once, built
    from the corpus first if there is none, then kept in step with the corpus folder and
    with what other processes publish, as `qa serve` does (--no-sync: serve it as it is).
    Nothing is written to stdout but the protocol; logs go to stderr. Paths should be
    absolute: a client starts the command in a folder of its own.

    \b
    Example:
        qa mcp --corpus /srv/qa/corpus --index /srv/qa/index
    """
    from qa.serve import mcp_server
    from qa.serve.service import Service

    service = Service(corpus_dir, index_dir)
    service.open(catch_up=not no_sync)
    try:
        mcp_server.build(service).run("stdio")
    finally:
        service.close()
