"""Articles sent on the maintainer's page, as a file or as pasted text, read by the very readers
that read the corpus folder (so an upload is cleaned exactly as the same file saved there).

Uploads are held to more than corpus files: UTF-8 only (a corpus file in cp1252 is read with a
warning, but the person uploading can re-save it), and only the formats the page offers.
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qa.articles import Article, not_web_address, slugify, web_address
from qa.errors import IngestError
from qa.ingest.readers import read_file
from qa.ingest.readers.records import record_id
from qa.ingest.readers.text import check_not_binary

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".jsonl")
PASTED = "pasted text"


@dataclass
class Read:
    """The articles read from an upload, and the problems met, named by file and line."""

    articles: list[Article] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (where, message): no article
    warnings: list[str] = field(default_factory=list)


def read_upload(name: str, data: bytes) -> Read:
    """The articles in an uploaded file; IngestError when the file as a whole is refused."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise IngestError(name, f"not an article file: send {', '.join(UPLOAD_SUFFIXES)}")
    if not data.strip():
        raise IngestError(name, "empty file")
    check_not_binary(data, name)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = data[error.start : error.start + 1].hex()
        message = f"not UTF-8 text (byte 0x{byte} at offset {error.start}); save it as UTF-8"
        raise IngestError(name, message) from None
    return _read_as(f"{slugify(Path(name).stem)}{suffix}", name, data)


def read_pasted(title: str, source: str, published: str, url: str, text: str) -> Read:
    """The article in pasted text, cleaned as a scraped .txt page; the fields given win over
    what the text says. Its id comes from the link if given (an http(s) one: any other is
    refused), else from title and date."""
    if not title.strip():
        raise IngestError(PASTED, "give the article's title")
    if not text.strip():
        raise IngestError(PASTED, "no text: paste the article")
    if url.strip() and web_address(url) is None:
        raise IngestError(PASTED, not_web_address(url))
    meta = {"title": title, "source": source, "published": published, "url": url}
    meta = {name: value.strip() for name, value in meta.items() if value.strip()}
    meta["id"] = record_id(meta, PASTED, "", None)
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return _read_as(f"{meta['id']}.txt", PASTED, f"---\n{header}---\n\n{text}".encode())


def _read_as(filename: str, shown: str, data: bytes) -> Read:
    """Read `data` as a corpus file called `filename`; problems name it `shown`."""
    read = Read()
    with tempfile.TemporaryDirectory(prefix="qa-upload-") as folder:
        path = Path(folder) / filename
        path.write_bytes(data)
        for item in read_file(path):
            if isinstance(item, Article):
                read.articles.append(item)
            else:
                where = shown + (f":{item.line}" if item.line is not None else "")
                if item.level == "error":
                    read.errors.append((where, item.message))
                else:
                    read.warnings.append(f"{item.level}: {where}: {item.message}")
    return read
