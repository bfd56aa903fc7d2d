"""Shared fixtures: an in-process sandbox on a free port, isolation from the real machine."""

from __future__ import annotations

import os
from collections.abc import Iterator

import keyring
import keyring.backend
import pytest
from hypothesis import settings

from affilitest_gui.api.limits import RateLimit, RetryLimits
from affilitest_gui.sandbox import RunningSandbox, SandboxConfig, start_sandbox

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
settings.register_profile("ci", deadline=None, max_examples=200, print_blob=True)
settings.load_profile("ci")

# Scaled-time numbers for tests: fast, and the same rules as production.
FAST_RETRY = RetryLimits(
    backoff_s=((0.01, 0.02), (0.03, 0.06)),
    rate_limit_jitter_s=(0.01, 0.05),
    item_deadline_s=30.0,
)
FAST_RATE = RateLimit.scaled(limit=50, window_s=2.0)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A secure-looking keyring that keeps secrets in a dict: never the real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch) -> Iterator[MemoryKeyring]:
    """No test touches the real keyring, data directory or a proxy."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("AFFILITEST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AFFILITEST_API_KEY", raising=False)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(_isolated: MemoryKeyring) -> MemoryKeyring:
    return _isolated


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox() as running:
        yield running


@pytest.fixture
def make_sandbox() -> Iterator:
    started: list[RunningSandbox] = []

    def make(**config: object) -> RunningSandbox:
        running = start_sandbox(SandboxConfig(**config))  # type: ignore[arg-type]
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()


class SandboxProcess:
    """The sandbox as its own process (its own GIL), as the real service would be."""

    def __init__(self, *args: str) -> None:
        import json
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [sys.executable, "-m", "affilitest_gui.sandbox", *args],
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = json.loads(self.process.stdout.readline())
        self.base_url: str = ready["base_url"]
        self.keys: dict[str, str] = ready["keys"]

    def stats(self, window_s: float) -> dict:
        import requests

        with requests.Session() as session:
            session.trust_env = False
            answer = session.get(f"{self.base_url}/sandbox/stats?window={window_s}", timeout=10)
        return answer.json()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)
        self.process.stdout.close()


@pytest.fixture
def sandbox_process() -> Iterator:
    started: list[SandboxProcess] = []

    def start(*args: str) -> SandboxProcess:
        started.append(SandboxProcess(*args))
        return started[-1]

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def aloop(qapp):
    """A qasync loop: async UI flows only progress while it runs."""
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


def run_until(loop, condition, timeout: float = 30.0) -> None:
    """Run the Qt + asyncio loop until `condition()` holds; fail after `timeout`."""
    import asyncio
    import time

    async def wait() -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "timed out waiting for the app"
            await asyncio.sleep(0.02)

    loop.run_until_complete(wait())


@pytest.fixture
def make_window(qtbot, tmp_path, sandbox):
    """The real app window (worker thread, history, settings in tmp_path) on a sandbox.

    `server` is where checks go ("live"); `demo` is what sandbox mode starts (by default
    the same server; pass another one for tests that leave sandbox mode); `build` makes
    the window from `build_window`'s arguments (by default, `build_window` itself).
    """
    from affilitest_gui.assembly import build_window
    from affilitest_gui.keystore import KeyStore

    windows = []
    opened: list[str] = []

    def make(*, server=None, demo=None, base_url=None, concurrency=12, keystore=None,
             rate=None, drain_s=10.0, clock=None, environ=None,
             build=build_window):  # fmt: skip
        server = server or sandbox
        demo = demo or server
        options = {"concurrency": concurrency, "retry": FAST_RETRY, "drain_s": drain_s,
                   "environ": environ or {}}  # alert secrets: only what a test gives  # fmt: skip
        if rate is not None:
            options["rate"] = rate
        if clock is not None:
            options["clock"] = clock
        window = build(
            base_url or server.base_url,
            data_dir=tmp_path,
            sandbox=lambda: demo,
            keystore=keystore or KeyStore(),
            open_url=opened.append,
            **options,
        )
        window.opened = opened
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:  # before qtbot's own teardown: stop the worker thread first
        window.shutdown()
        window.store.close()
