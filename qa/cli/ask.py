"""`qa ask`: answer one question from the command line."""

import sys
import time
from datetime import date
from pathlib import Path

import click

from qa.cli.common import clean_errors, index_option
from qa.filters import Filters
from qa.index.reader import Index
from qa.search import rerank
from qa.search.query import Query
from qa.search.retrieval import Mode, SearchOptions
from qa.search.status import ask_latest as answer
from qa.serve.schemas import AskResponse, ask_response
from qa.settings import option

MARK_START, MARK_END = "\x1b[1;33m", "\x1b[0m"


@click.command()
@click.argument("question")
@index_option
@click.option(
    "--k", default=5, show_default=True, type=click.IntRange(1, 50), help="Passages to return."
)
@click.option(
    "--mode", type=click.Choice([m.value for m in Mode]), default="hybrid", show_default=True
)
@click.option("--source", help="Only this outlet, e.g. Liputan6.com.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Published on or after.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Published on or before.")
@click.option("--language", type=click.Choice(["id", "en"]), help="Articles in this language.")
@click.option("--json", "as_json", is_flag=True, help="Print the /api/ask JSON response.")
@option("reranker", metavar="NAME_OR_PATH")
@clean_errors
def ask(
    question: str,
    index_dir: Path,
    k: int,
    mode: str,
    source: str | None,
    since,
    until,
    language: str | None,
    as_json: bool,
    reranker: str | None,
) -> None:
    """Answer QUESTION with the best sentence and numbered citations.

    \b
    Example:
        qa ask "status proposal OSH Korea"
        qa ask "What did Indonesia agree with ASEAN+3 on migrant workers?" --json
    """
    question = question.strip()
    if not question:
        raise click.UsageError("QUESTION must not be empty")
    rerank.use(reranker)
    started = time.perf_counter()
    index = Index.load(index_dir)
    filters = Filters(source, _day(since), _day(until), language)
    options = SearchOptions(k=k, mode=Mode(mode), filters=filters)
    answering = answer(index, Query.of(question, index.embedder), options)
    response = ask_response(question, answering, (time.perf_counter() - started) * 1000)
    click.echo(response.model_dump_json(indent=2) if as_json else render(response))


def _day(value) -> date | None:
    return value.date() if value else None


def render(response: AskResponse) -> str:
    """Human output: the answer sentence, then numbered citations with the answer marked."""
    color = sys.stdout.isatty()
    lines = []
    if response.answer:
        as_of = f", as of {response.answer.as_of.isoformat()}" if response.answer.as_of else ""
        lines += [response.answer.text, f"(confidence {response.answer.confidence:.2f}{as_of})"]
        for earlier in response.earlier:
            when = earlier.published.isoformat() if earlier.published else "undated"
            lines.append(f"  earlier, {when} ({earlier.source}): {earlier.sentence}")
        lines.append("")
    else:
        lines += ["No answer found in the corpus. Closest passages:", ""]
    for number, passage in enumerate(response.passages, start=1):
        when = passage.published.isoformat() if passage.published else "undated"
        cite = f"[{number}] {passage.title} — {passage.source or 'unknown outlet'}, {when}"
        lines.append(cite + (f", {passage.url}" if passage.url else ""))
        if passage.also_in:
            outlets = ", ".join(copy.source or copy.title for copy in passage.also_in)
            lines.append(f"    also reported by {outlets}")
        lines.append("    " + _marked(passage.text, passage.highlights, color).replace("\n", " "))
        lines.append("")
    return "\n".join(lines).rstrip()


def _marked(text: str, highlights, color: bool) -> str:
    start_mark, end_mark = (MARK_START, MARK_END) if color else (">>", "<<")
    for span in sorted(highlights, key=lambda h: h.start, reverse=True):
        text = (
            text[: span.start]
            + start_mark
            + text[span.start : span.end]
            + end_mark
            + text[span.end :]
        )
    return text
