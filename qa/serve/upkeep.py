"""The threads that keep a served index current besides the update worker: following what
other processes publish, merging segments, and embedding the sentences of new passages.

Each waits for its own event, so none holds up the updates, the queries or the others: the
follower looks for a newly published generation every `follow_seconds` (one published by
anyone: the update worker, `qa index update` from cron, another server) and has the service
swap it in; a merge runs in a child process (`qa index merge`) when the merge policy asks for
one, so that a large merge's memory and CPU never weigh on the queries; new sentences get
their vectors after each update (what makes `ask` cost one query embedding).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from typing import TYPE_CHECKING

from qa import settings
from qa.index import merging
from qa.index.sentence_vectors import embed_pending

if TYPE_CHECKING:
    from qa.serve.service import Service

log = logging.getLogger(__name__)


class Upkeep:
    """The follower, the merger and the sentence embedder of one `Service`."""

    def __init__(self, service: Service):
        self.service = service
        self._stop = threading.Event()
        self._merge_wanted = threading.Event()
        self._sentences_wanted = threading.Event()

    def start(self) -> list[threading.Thread]:
        """Start the three threads; they run until `stop`."""
        threads = [
            threading.Thread(target=target, name=name, daemon=True)
            for target, name in (
                (self._follow, "qa-index-follow"),
                (self._merge, "qa-index-merges"),
                (self._embed_sentences, "qa-sentence-vectors"),
            )
        ]
        for thread in threads:
            thread.start()
        return threads

    def stop(self) -> None:
        self._stop.set()
        self._merge_wanted.set()
        self._sentences_wanted.set()

    def merge_if_due(self) -> None:
        """Have segments merged if the merge policy asks for it."""
        if merging.choose(self.service.index.manifest.segments):
            self._merge_wanted.set()

    def embed_sentences(self) -> None:
        """Have the sentences of passages published since the last pass embedded."""
        self._sentences_wanted.set()

    def _follow(self) -> None:
        """Pick up generations that other processes publish."""
        interval = float(settings.get("follow_seconds"))
        while not self._stop.wait(interval):
            try:
                self.service.refresh()
            except Exception:  # keep serving the generation we have; try again next time
                log.exception("could not open the newly published index generation")

    def _merge(self) -> None:
        state = self.service.state
        while True:
            self._merge_wanted.wait()
            self._merge_wanted.clear()
            if self._stop.is_set():
                return
            state.merging = True
            try:
                command = [sys.executable, "-c", "from qa.cli import cli; cli()", "index"]
                command += ["merge", "--index", str(self.service.index_dir)]
                done = subprocess.run(command, capture_output=True, text=True)
                lines = (done.stderr or done.stdout).strip().splitlines()
                state.merge_error = (lines[-1] if lines else "failed") if done.returncode else None
                self.service.refresh()
            finally:
                state.merging = False

    def _embed_sentences(self) -> None:
        service, state = self.service, self.service.state
        while True:
            self._sentences_wanted.wait()
            self._sentences_wanted.clear()
            if self._stop.is_set():
                return
            state.sentences_running = True
            try:
                embed_pending(
                    service.index_dir, service.index.embedder, self._progress, service.cluster
                )
                state.sentences_error = None
            except Exception as error:  # answers stay right, only slower: log and go on
                log.exception("embedding sentences failed")
                state.sentences_error = str(error)
            finally:
                state.sentences_running = False

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.service.state.sentences_done, self.service.state.sentences_total = done, total
