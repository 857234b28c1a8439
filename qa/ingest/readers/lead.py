"""The lead paragraph that trafilatura drops: the text that opens the article's container
before its first block ("<div><b>Kapanlagi.com</b> - Brandon ...<p><p>...", "<span><strong>
VIVA.co.id</strong> - Pianis ...<div>..."). It opens with the dateline, so it is found as the
nearest line with a dateline just before trafilatura's first line in the page's visible text.
"""

import re

import lxml.html

from qa.ingest.readers.outlets import find_dateline

_BLOCKS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 table tr td blockquote section article header "
    "footer figure figcaption".split()
)
_HIDDEN = ("script", "style", "noscript", "template")
_LOOK_BACK = 6  # lines before trafilatura's first one where the lead may start
_SPACE = re.compile(r"\s+")


def visible_lines(html: str) -> list[str]:
    """The page's visible text, one line per block, whitespace squeezed."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    for element in list(tree.iter(*_HIDDEN)):
        element.drop_tree()
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
        element.text = "\n" + (element.text or "")
    lines = (_SPACE.sub(" ", line).strip() for line in tree.text_content().split("\n"))
    return [line for line in lines if line]


def _squeezed(text: str) -> str:
    return _SPACE.sub("", text)


def dropped_lead(html: str, text: str) -> list[str]:
    """The lines of the lead that `text` (trafilatura's) lacks, dateline first; [] when its first
    line already has a dateline or none opens a line just before it."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    if not first or find_dateline(first.strip()):
        return []
    lines = visible_lines(html)
    key = _squeezed(first)[:60]
    start = next((n for n, line in enumerate(lines) if _squeezed(line).startswith(key)), None)
    if start is None:
        return []
    for number in range(start - 1, max(start - _LOOK_BACK, 0) - 1, -1):
        dateline = find_dateline(lines[number])
        if dateline and dateline.outlet and dateline.start == 0:
            return lines[number:start]
    return []
