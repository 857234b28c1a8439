"""Threads of their own for fetching links, so that slow sites never hold up searches.

A request handler waits for its fetch without holding a thread: the server's threads answer
queries and pages, and however many links are sent at once, at most `workers` fetches run. A
request that finds them all busy is refused at once (FetchPoolFull: 503 with Retry-After)
rather than queued without bound.
"""

import asyncio
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from qa import settings
from qa.errors import FetchPoolFull

T = TypeVar("T")


class FetchPool:
    """At most `workers` fetching jobs at once, each on a thread of this pool."""

    def __init__(self, workers: int, retry_after: float):
        self.workers = max(1, workers)
        self.retry_after = max(1, math.ceil(retry_after))
        self._free = threading.BoundedSemaphore(self.workers)
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="qa-fetch")

    @classmethod
    def from_settings(cls) -> "FetchPool":
        return cls(int(settings.get("fetch_workers")), float(settings.get("fetch_timeout")))

    async def run(self, job: Callable[[], T]) -> T:
        """`job`'s result, run on the pool; FetchPoolFull when every worker is busy. A request
        given up by its client leaves its job to finish (each fetch ends by its deadline)."""
        if not self._free.acquire(blocking=False):
            raise FetchPoolFull(
                f"{self.workers} link fetches are already running (QA_FETCH_WORKERS): "
                f"try again in {self.retry_after} s",
                self.retry_after,
            )
        try:
            future: Future[T] = self._executor.submit(job)
        except BaseException:
            self._free.release()
            raise
        future.add_done_callback(lambda _: self._free.release())
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
