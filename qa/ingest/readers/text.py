"""Article files as bytes: decoding them (UTF-8, else cp1252/latin-1 with a warning; NUL bytes
mean binary). They are replaced with `qa.files.atomic_file`."""

import codecs
from pathlib import Path

from qa.errors import IngestError
from qa.ingest.readers.base import Problem

# Files are checked for NUL bytes in full, except bulk files, which stream: their first block is.
SNIFF_BYTES = 8192


def check_not_binary(data: bytes, path: str) -> None:
    """Refuse data with NUL bytes: no text format we read has them, every binary format does."""
    if b"\x00" in data:
        raise IngestError(path, "binary file (contains NUL bytes), not an article; remove it")


def decode(data: bytes, path: str, line: int | None = None) -> tuple[str, Problem | None]:
    """Decode `data`, returning the text and a warning when it was not UTF-8.

    UTF-16 with a byte-order mark is honoured (Windows editors write it). Otherwise cp1252, the
    usual encoding of text saved on Windows, is tried before latin-1, which never fails.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as error:
            raise IngestError(path, f"broken UTF-16 text ({error.reason})", line) from error
    check_not_binary(data, path)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        for encoding in ("cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            warning = Problem(
                path,
                f"not valid UTF-8 (byte 0x{bad} at offset {error.start}); read as {encoding}: "
                "check the accents, and re-save the file as UTF-8",
                line,
                "warning",
            )
            return text, warning
        raise AssertionError("latin-1 decodes every byte") from error


def read_text(path: Path) -> tuple[str, Problem | None]:
    """The text of a single-article file, with newlines normalised; empty files are an error."""
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(str(path), "empty file; add the article text or remove the file")
    text, warning = decode(data, str(path))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(str(path), "empty file; add the article text or remove the file")
    return text, warning
