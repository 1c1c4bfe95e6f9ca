"""`skranke serve` as a user starts it: the real command in a process of its own, on a store the
test made, with a certificate made in the test (openssl). Its log lines (stdout) say when it
listens and when a tab's process starts and ends; /proc says which processes it still has."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import pytest

from skranke.services.context import Skranke
from tests.conftest import make_skranke

T = TypeVar("T")
NOW = "2026-04-09T09:30"  # the queue's morning (tests/ui/test_queue_screen.py)
STARTED_WITHIN = 30.0  # seconds: a slow CI machine starting Python, the server, a tab's skranke
# .ci/run names Debian's chromium here: there the browser tests must run, never skip.
CHROMIUM_REQUIRED = os.environ.get("SKRANKE_TEST_CHROMIUM", "")


def chromium() -> str:
    """Debian's chromium (playwright's own browser download cannot work on these machines)."""
    found = CHROMIUM_REQUIRED or shutil.which("chromium") or ""
    if not found or not Path(found).is_file():
        if CHROMIUM_REQUIRED:
            raise AssertionError(f"SKRANKE_TEST_CHROMIUM={CHROMIUM_REQUIRED} is not there")
        pytest.skip("no chromium on this machine: browser tests skipped (apt-get install chromium; CI installs it)")
    return found


def wait_until(condition: Callable[[], T | None], what: str, timeout: float = STARTED_WITHIN) -> T:
    """Until `condition()` gives something: a look at the store (or /proc) every 50 ms, since
    another process changes them and nothing tells this one. Fails naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.05)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, as the README shows for a test."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Served:
    """A running `skranke serve`: its address, its log lines as they come, its processes."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)
    url: str = ""

    def line(self, pattern: str, timeout: float = STARTED_WITHIN) -> re.Match[str]:
        """The next log line that matches `pattern` (lines before it are passed over)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no log line like {pattern!r} within {timeout:.0f} s: {self.seen}") from None
            self.seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    def children(self) -> list[int]:
        """The server's child processes (a tab's skranke each), as Linux lists them: under the
        thread that started each. A thread may end while they are read (its children then move
        to another thread, perhaps one already read): the whole list is read again then."""
        task = Path(f"/proc/{self.process.pid}/task")
        while True:
            try:
                return [int(pid) for thread in task.iterdir() for pid in (thread / "children").read_text().split()]
            except FileNotFoundError:
                if not task.exists():  # the server itself has ended: that is no thread's race
                    raise

    @property
    def host(self) -> str:
        return self.url.split("://", 1)[1]


class Serve(Protocol):
    def __call__(self, *options: str, site: str = "odense") -> Served: ...


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Skranke]:
    """A store for the served application (the test prepares it, then closes it)."""
    skranke = make_skranke(NOW, f"sqlite:///{tmp_path / 'serve.db'}")
    yield skranke
    skranke.close()


@pytest.fixture
def serve(store: Skranke) -> Iterator[Serve]:
    """Starts `skranke serve` on `store` on a free port; stopped (SIGTERM) at the end."""
    started: list[Served] = []

    def start(*options: str, site: str = "odense") -> Served:
        assert store.settings.db is not None
        command = [sys.executable, "-m", "skranke", "--db", store.settings.db, "--now", NOW, "--site", site]
        process = subprocess.Popen(
            [*command, "serve", "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        served = Served(process)
        started.append(served)
        assert process.stdout is not None
        stdout = process.stdout

        def read() -> None:
            for line in stdout:
                served.lines.put(line.rstrip("\n"))

        threading.Thread(target=read, daemon=True).start()
        served.url = served.line(r"(https?://\S+:\d+)").group(1)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.send_signal(signal.SIGTERM)
            served.process.wait(timeout=STARTED_WITHIN)
