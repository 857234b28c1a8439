"""`qa feeds add|list|remove|poll`: follow news feeds and sitemaps into the corpus."""

from pathlib import Path

import click

from qa.cli.common import clean_errors, corpus_option, index_option, indexing_service
from qa.ingest.feeds import Feed, FeedList


@click.group()
def feeds() -> None:
    """Follow RSS/Atom feeds and sitemaps: new articles in them are added to the corpus.

    The feeds are kept in <corpus>/.feeds.json with what each poll found.

    \b
    Example:
        qa feeds add https://www.antaranews.com/rss/terkini.xml --match "Kemnaker|ketenagakerjaan"
        qa feeds poll
    """


@feeds.command()
@click.argument("url")
@click.option(
    "--match",
    metavar="REGEX",
    help="Keep only articles whose title or text matches (case-insensitive).",
)
@corpus_option
@clean_errors
def add(url: str, match: str | None, corpus_dir: Path) -> None:
    """Follow the RSS or Atom feed or sitemap at URL, or the feed a homepage at URL links to.

    The feed is fetched once to check it. Adding a feed again changes its --match.

    \b
    Example:
        $ qa feeds add https://www.antaranews.com/ --match "Kemnaker|ketenagakerjaan"
        following https://www.antaranews.com/rss/terkini.xml (50 links now)
    """
    found, links = FeedList(corpus_dir).follow(url, match)
    note = "" if links else "; it lists no articles yet"
    click.echo(f"following {found} ({links} links now{note})")


@feeds.command(name="list")
@corpus_option
@clean_errors
def list_feeds(corpus_dir: Path) -> None:
    """List the feeds followed and what their last poll did.

    \b
    Example:
        $ qa feeds list
        https://www.antaranews.com/rss/terkini.xml  match: Kemnaker|ketenagakerjaan
          2024-06-10T08:00:03+00:00 ok: 50 links, 3 new, 1 added, 2 skipped, 0 failed
    """
    followed = FeedList(corpus_dir).load()
    for feed in followed:
        click.echo(feed.url + (f"  match: {feed.match}" if feed.match else ""))
        click.echo(f"  {_result(feed)}")
    if not followed:
        click.echo("no feeds: add one with `qa feeds add URL`")


@feeds.command()
@click.argument("url")
@corpus_option
@clean_errors
def remove(url: str, corpus_dir: Path) -> None:
    """Stop following the feed at URL (its articles stay in the corpus).

    \b
    Example:
        qa feeds remove https://www.antaranews.com/rss/terkini.xml
    """
    if not FeedList(corpus_dir).remove(url):
        raise click.ClickException(f"not a feed followed: {url} (see `qa feeds list`)")
    click.echo(f"no longer following {url}")


@feeds.command()
@corpus_option
@index_option
@clean_errors
def poll(corpus_dir: Path, index_dir: Path) -> None:
    """Fetch what is new in every feed once, save the matching articles and index them.

    An unchanged feed costs one request (ETag / Last-Modified); links seen before are not
    fetched again; robots.txt is honoured. A feed that fails is reported and the others are
    still polled; the exit status is then 1. `qa serve --poll-feeds` polls in the background.

    \b
    Example:
        $ qa feeds poll
        https://www.antaranews.com/rss/terkini.xml: ok: 50 links, 3 new, 1 added, ...
        indexed: generation 8, 1 added, 0 updated, 0 unchanged
    """
    with indexing_service(corpus_dir, index_dir) as service:
        polled = service.poller.poll()
        for feed in polled:
            click.echo(f"{feed.url}: {_result(feed)}")
            for link, message in feed.last_poll.failed if feed.last_poll else []:
                click.echo(f"  error: {link}: {message}", err=True)
        if not polled:
            click.echo("no feeds: add one with `qa feeds add URL`")
    if any(feed.last_poll and feed.last_poll.status == "error" for feed in polled):
        raise click.exceptions.Exit(1)


def _result(feed: Feed) -> str:
    """One line on the feed's last poll."""
    last = feed.last_poll
    if last is None:
        return "not polled yet"
    if last.status != "ok":
        return f"{last.at} {last.status}: {last.message}"
    counts = (
        f"{last.links} links, {last.new} new, {len(last.added)} added, {last.skipped} skipped, "
        f"{len(last.failed)} failed"
    )
    return f"{last.at} ok: {counts}" + (f" ({last.message})" if last.message else "")
