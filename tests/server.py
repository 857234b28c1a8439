"""A real `qa serve` on loopback for the tests marked `server` (not a test module itself).

    with LiveServer(corpus_dir, index_dir, api_key="secret") as server:
        httpx.get(f"{server.url}/api/health")
        wait_for_job(server, job=3)

The process is always stopped; failures carry the tail of its log.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
STARTUP = 180  # seconds: a first start builds the index over the corpus


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`qa serve --corpus corpus_dir --index index_dir` as a subprocess on 127.0.0.1.

    With `api_key`, writes need `Authorization: Bearer <api_key>` (passed as QA_API_KEY);
    without one the server has no key, whatever the environment says, and refuses writes.
    `env` adds settings to its environment (QA_ALLOWED_HOSTS, QA_DASK_SCHEDULER, ...), `args`
    options of `qa serve`.
    """

    def __init__(
        self,
        corpus_dir: Path,
        index_dir: Path,
        api_key: str | None = None,
        startup: float = STARTUP,
        log_path: Path | None = None,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ):
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self.api_key = api_key
        self.env = env or {}
        self.startup = startup
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path or self.index_dir.parent / f"serve-{self.port}.log")
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.env = env or {}
        self.args = args

    def __enter__(self) -> "LiveServer":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        """Start the server and wait until /api/health answers (pytest.fail otherwise)."""
        command = [sys.executable, "-c", "from qa.cli import cli; cli()", "serve"]
        command += ["--corpus", str(self.corpus_dir), "--index", str(self.index_dir)]
        command += ["--host", "127.0.0.1", "--port", str(self.port), *self.args]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", **self.env}
        env.pop("QA_API_KEY", None)
        if self.api_key:
            env["QA_API_KEY"] = self.api_key
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"qa serve exited ({self.process.returncode}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"qa serve not healthy after {self.startup} s:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 20 s); safe to call twice."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def log_tail(self, characters: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-characters:]
        except FileNotFoundError:
            return "(no log)"

    def status(self) -> dict:
        response = httpx.get(f"{self.url}/api/index/status", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


def wait_for_job(server: LiveServer, job: int, timeout: float = 120) -> dict:
    """Poll /api/index/status until update job `job` has completed; return that status.

    Fails if the job reported an error or did not finish within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        status = server.status()
        update = status["update"]
        if update["completed_job"] >= job and update["job"] != job:
            error = update["last_error"] or ""
            assert not error.startswith(f"job {job}:"), f"{error}\n{server.log_tail()}"
            return status
        if time.monotonic() > deadline:
            message = f"index job {job} not done after {timeout} s: {update}"
            pytest.fail(f"{message}\n{server.log_tail()}")
        time.sleep(0.2)


def wait_idle(server: LiveServer, timeout: float = 120) -> dict:
    """Poll /api/index/status until no update is running or queued; return that status."""
    deadline = time.monotonic() + timeout
    while True:
        status = server.status()
        update = status["update"]
        if not update["running"] and update["queued"] == 0:
            return status
        if time.monotonic() > deadline:
            pytest.fail(f"index updates not idle after {timeout} s: {update}\n{server.log_tail()}")
        time.sleep(0.2)
