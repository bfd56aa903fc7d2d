"""`affilitest-check`: the engine without Qt, for automation and for testing the engine.

Every URL x country x device is one check; one JSON line (or CSV row) per finished
check. The key comes from AFFILITEST_API_KEY or the keyring, never from a flag.
Exit status: 0 all ok, 1 some failed, 2 usage error or batch stopped on auth/budget.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from types import FrameType, TracebackType
from typing import IO, Any

from affilitest_gui import __version__
from affilitest_gui.api.catalog import describe
from affilitest_gui.api.client import DEFAULT_BASE_URL, AffiliTestClient
from affilitest_gui.api.errors import AffiliTestError, InputError
from affilitest_gui.api.limits import API_RATE_LIMIT, DEFAULT_CONCURRENCY, TIMEOUTS, RateLimit
from affilitest_gui.api.models import CheckRequest, expand_checks
from affilitest_gui.api.validation import (
    DEFAULT_COUNTRIES,
    DEFAULT_DEVICES,
    DEVICE_PRESETS,
    validate_api_key,
    validate_country,
    validate_device,
    validate_url,
)
from affilitest_gui.chains.params import follow
from affilitest_gui.chains.parties import party_of
from affilitest_gui.engine.batch import BatchRunner
from affilitest_gui.engine.events import BatchPaused, ItemEvent, ItemState, RunnerEvent
from affilitest_gui.engine.throttle import SlidingWindowThrottle
from affilitest_gui.history.export import CsvWriter
from affilitest_gui.history.problems import STORAGE_ERRORS
from affilitest_gui.history.send_log import SEND_LOG_NAME, SharedSendLog
from affilitest_gui.judging.records import record_for
from affilitest_gui.keystore import KeyStore
from affilitest_gui.loopback import is_loopback_url
from affilitest_gui.paths import data_dir

EXIT_OK, EXIT_SOME_FAILED, EXIT_STOPPED = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # as a shell reports SIGINT and SIGTERM
KEY_VARIABLE = "AFFILITEST_API_KEY"


class UsageError(Exception):
    """A problem with the command line or its input: exit 2, nothing sent."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="affilitest-check",
        description="Check offers' tracking links through the AffiliTest API. Every "
        "URL x country x device is one check. The API key is read from "
        f"${KEY_VARIABLE} or from the key saved by AffiliTest GUI.",
    )
    parser.add_argument("urls", nargs="*", metavar="URL", help="offer URL(s) to check")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help="API address")
    parser.add_argument(
        "--country",
        action="append",
        metavar="CC",
        help="ISO country code, repeatable (default: us)",
    )
    parser.add_argument(
        "--device",
        action="append",
        metavar="D",
        help=f"{', '.join(DEVICE_PRESETS)} or a User-Agent; repeatable (default: android)",
    )
    parser.add_argument("--preview", metavar="URL", help="store page the chain should end on")
    parser.add_argument("--no-codes", action="store_true", help="don't ask for status codes")
    parser.add_argument(
        "--input", metavar="FILE", help="read URLs from FILE, one a line (- = stdin)"
    )
    parser.add_argument("--limit", type=int, default=API_RATE_LIMIT.limit, help="calls per window")
    parser.add_argument(
        "--window", type=float, default=API_RATE_LIMIT.window_s, help="rate window in seconds"
    )
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="calls in flight at once"
    )
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def read_urls(args: argparse.Namespace, stdin: IO[str]) -> list[str]:
    urls = list(args.urls)
    if args.input:
        try:
            if args.input == "-":
                lines = stdin.read().splitlines()
            else:
                with open(args.input, encoding="utf-8-sig") as handle:
                    lines = handle.read().splitlines()
        except OSError as error:
            raise UsageError(f"cannot read {args.input}: {error.strerror}") from None
        urls += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not urls:
        raise UsageError("no URL given: pass URLs as arguments or with --input FILE")
    return urls


def build_requests(args: argparse.Namespace, urls: Iterable[str]) -> list[CheckRequest]:
    """Every URL x country x device; each distinct value is validated once, up front."""
    problems: list[str] = []

    def valid(check: Callable[[str], str], value: str) -> str:
        try:
            return check(value)
        except InputError as error:
            problems.append(f"{error.field} {value!r}: {error.message}")
            return value

    clean_urls = [valid(validate_url, url) for url in dict.fromkeys(urls)]
    chosen_countries = dict.fromkeys(args.country or DEFAULT_COUNTRIES)
    chosen_devices = dict.fromkeys(args.device or DEFAULT_DEVICES)
    countries = [valid(validate_country, country) for country in chosen_countries]
    devices = [valid(validate_device, device) for device in chosen_devices]
    preview = (
        valid(partial(validate_url, field="preview_url"), args.preview) if args.preview else None
    )
    if problems:
        raise UsageError("\n".join(problems))
    return expand_checks(clean_urls, countries, devices, preview, codes=not args.no_codes)


def read_key(environ: dict[str, str], store: KeyStore | None = None) -> str:
    raw = environ.get(KEY_VARIABLE) or (store or KeyStore()).get()
    if not raw:
        raise UsageError(
            f"no API key: set {KEY_VARIABLE} or save a key in AffiliTest GUI "
            "(a key is never taken from the command line)"
        )
    try:
        return validate_api_key(raw)
    except InputError as error:
        raise UsageError(f"API key: {error.message}") from None


def error_record(error: AffiliTestError) -> dict[str, Any]:
    explained = describe(error)
    return {
        "kind": error.kind,
        "status": error.status,
        "message": error.server_message,
        "title": explained.title,
        "advice": explained.advice,
    }


def hop_record(url: str, code: int | None) -> dict[str, Any]:
    """One hop as the twins print it: `party` is who it is ({name, role}) or null."""
    party = party_of(url)
    return {
        "url": url,
        "code": code,
        "party": {"name": party.name, "role": party.role.value} if party else None,
    }


def check_record(event: ItemEvent) -> dict[str, Any]:
    """The output line of one finished check."""
    request, result = event.request, event.result
    judged = record_for(request, result=result, error=event.error, attempts=event.attempt)
    hops = [hop_record(hop.url, hop.code) for hop in result.hops] if result else []
    survival = follow([hop.url for hop in result.hops] if result else [])
    return {
        "url": request.url,
        "country": request.country,
        "device": request.device,
        "status": judged.outcome,  # the log's words: "ok" | "failed"
        "hops": hops,
        "final_url": result.final_url if result else None,
        "attempts": result.attempts if result else event.attempt,
        "elapsed_s": round(result.elapsed_s, 3) if result else None,
        "error": error_record(event.error) if event.error else None,
        "health": judged.health.value,
        "reasons": list(judged.reasons),
        "lost_params": [{"name": lost.name, "hop": lost.hop, "party": lost.party.name}
                        for lost in survival.lost],
        "macros": [{"token": macro.token, "hop": macro.hop} for macro in survival.macros],
    }


class _Output:
    """Writes finished checks as they arrive; remembers what did not finish."""

    def __init__(self, out: IO[str], err: IO[str], fmt: str, total: int) -> None:
        self.out, self.err, self.total = out, err, total
        self.progress = err.isatty()
        self.finished = self.failed = 0
        self.cancelled: list[CheckRequest] = []
        self._csv = CsvWriter(out) if fmt == "csv" else None

    def __call__(self, event: RunnerEvent) -> None:
        if not isinstance(event, ItemEvent) or not event.state.is_terminal:
            return
        if event.state is ItemState.CANCELLED:
            self.cancelled.append(event.request)
            return
        self.finished += 1
        self.failed += event.state is ItemState.FAILED
        if self._csv:
            self._csv.write(record_for(event.request, result=event.result, error=event.error,
                                       attempts=event.attempt))  # fmt: skip
        else:
            self.out.write(json.dumps(check_record(event)) + "\n")
        self.out.flush()
        if self.progress:
            self.err.write(f"\r{self.finished}/{self.total} checked, {self.failed} failed ")
            self.err.flush()


class StopOnSignals:
    """Ctrl+C, SIGTERM (cron, systemd, `docker stop`) and Ctrl+Break on Windows, during a
    run: the first asks it to stop as the app's Quit does (no new sends; the answers in
    flight are waited for, a bounded time, and logged); a second stops at once (what is
    unanswered stays in the durable queue). Used as a context manager around a run."""

    def __init__(self, prog: str, err: IO[str], left: str,
                 event: threading.Event | None = None) -> None:  # fmt: skip
        """`left`: what happens to the checks not answered, said at a second signal;
        `event`: the run's stop (set here at the first signal)."""
        self.prog, self.err, self.left = prog, err, left
        self.event = event or threading.Event()
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    @property
    def exit_status(self) -> int:
        return EXIT_TERMINATED if self.signum == signal.SIGTERM else EXIT_INTERRUPTED

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.event.is_set():
            self.err.write(f"{self.prog}: stopped at once; {self.left}\n")
            self.err.flush()
            os._exit(self.exit_status)
        self.signum = signum
        self.event.set()
        self.err.write(f"{self.prog}: stopping: no new checks are sent; waiting up to "
                       f"{TIMEOUTS.quit_drain_s:g} s for the answers on their way (press "
                       "Ctrl+C again to stop at once).\n")  # fmt: skip
        self.err.flush()

    def __enter__(self) -> StopOnSignals:
        if threading.current_thread() is threading.main_thread():
            names = ("SIGINT", "SIGTERM", "SIGBREAK")
            for number in (getattr(signal, name) for name in names if hasattr(signal, name)):
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        for number, previous in self._previous.items():
            signal.signal(number, previous)


def run_batch(
    client: AffiliTestClient,
    checks: list[CheckRequest],
    on_event: Callable[[RunnerEvent], None],
    *,
    rate: RateLimit = API_RATE_LIMIT,
    concurrency: int = DEFAULT_CONCURRENCY,
    before_send: Callable[[CheckRequest], None] | None = None,
    send_log: SharedSendLog | None = None,
    stop: threading.Event | None = None,
    drain_s: float = TIMEOUTS.quit_drain_s,
) -> AffiliTestError | None:
    """Run `checks` on the engine; `on_event` gets every event on this thread;
    `before_send` (the run planner's journal) is told just before each request leaves;
    `send_log`
    is the rate limit every process of the data folder shares.

    The first account error (401/403) stops the batch: the checks not sent are
    cancelled (their events say so) and that error is returned. `stop` set (a signal,
    a full disk): the checks not sent are cancelled, the answers in flight are waited
    for at most `drain_s`, then the run ends.
    """
    events: queue.Queue[RunnerEvent] = queue.Queue()
    throttle = SlidingWindowThrottle(rate, shared=send_log, keeper=send_log)
    runner = BatchRunner(
        client.check, events.put, throttle=throttle, concurrency=concurrency,
        before_send=before_send,
    )  # fmt: skip
    cause: AffiliTestError | None = None

    def deliver() -> None:
        nonlocal cause
        while True:
            try:
                event = events.get_nowait()
            except queue.Empty:
                return
            if isinstance(event, BatchPaused) and event.cause is not None and cause is None:
                cause = event.cause
                runner.cancel()
            on_event(event)

    runner.submit(checks)
    stopping_since: float | None = None
    while not runner.wait_idle(0.1):
        deliver()
        if stop is not None and stop.is_set():
            if stopping_since is None:
                stopping_since = time.monotonic()
                runner.cancel()
            elif time.monotonic() - stopping_since > drain_s:
                break
    runner.shutdown()
    deliver()
    return cause


def rate_for(limit: int, window_s: float) -> RateLimit:
    """The published limit as it is, or one scaled for a test server."""
    if (limit, window_s) == (API_RATE_LIMIT.limit, API_RATE_LIMIT.window_s):
        return API_RATE_LIMIT
    return RateLimit.scaled(limit, window_s)


MAX_CONCURRENCY = 50
MAX_TEST_LIMIT = 10_000  # a server on this computer (the sandbox) may allow more


def check_rate_options(limit: int, window: float, concurrency: int, base_url: str) -> None:
    """--limit, --window and --concurrency: finite, in range, and no looser than the
    published 50 calls per 30 s (a server on this computer, the sandbox, sets its own)."""
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise UsageError(f"--concurrency must be a whole number from 1 to {MAX_CONCURRENCY}")
    if not 0.1 <= window <= 86_400:  # NaN is in no range
        raise UsageError("--window must be a number of seconds from 0.1 to 86400")
    if not 1 <= limit <= MAX_TEST_LIMIT:
        raise UsageError(f"--limit must be a whole number from 1 to {API_RATE_LIMIT.limit}")
    if is_loopback_url(base_url):
        return
    published = API_RATE_LIMIT
    if limit > published.limit or window < published.window_s:
        raise UsageError(
            f"--limit and --window may only make the rate slower than AffiliTest's "
            f"{published.limit} calls per {published.window_s:g} s (at most --limit "
            f"{published.limit}, at least --window {published.window_s:g})"
        )


def csv_ready(stream: IO[str]) -> IO[str]:
    """The csv module writes its own CRLF; a text stream that turns every LF into CRLF
    (stdout on Windows) would make it CR CR LF. UTF-8, whatever the console's
    code page: the file is read by a spreadsheet, not the console."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        stream.flush()
        reconfigure(newline="", encoding="utf-8")
    return stream


def shared_send_log(rate: RateLimit, err: IO[str]) -> SharedSendLog | None:
    """The send log of the data folder, which the app and the other twin share. A
    folder that cannot be written (or made): this run keeps to the limit on its own,
    and `err` is told so."""
    folder = data_dir()
    try:
        return SharedSendLog(folder / SEND_LOG_NAME, rate)
    except STORAGE_ERRORS as error:
        err.write(f"note: the shared send log cannot be kept in {folder} ({error}); this "
                  "run keeps to the rate limit on its own.\n")  # fmt: skip
        return None


def say_stopped(prog: str, cause: AffiliTestError, not_checked: list[CheckRequest],
                err: IO[str]) -> None:  # fmt: skip
    explained = describe(cause)
    err.write(
        f"{prog}: stopped: {explained.title}. {explained.explanation}\n"
        f"  What to do: {explained.advice}\n"
    )
    if not_checked:  # a watcher's look can stop before it queued anything
        err.write(f"  Not checked ({len(not_checked)}):\n")
    for request in not_checked:
        err.write(f"    {request.url} {request.country} {request.device}\n")


def run(
    argv: list[str] | None = None,
    *,
    stdin: IO[str] = sys.stdin,
    stdout: IO[str] = sys.stdout,
    stderr: IO[str] = sys.stderr,
    environ: dict[str, str] | None = None,
    store: KeyStore | None = None,
) -> int:
    """The whole command; returns the exit status."""
    args = build_parser().parse_args(argv)
    environ = dict(os.environ) if environ is None else environ
    try:
        check_rate_options(args.limit, args.window, args.concurrency, args.base_url)
        checks = build_requests(args, read_urls(args, stdin))
        key = read_key(environ, store)
    except UsageError as error:
        stderr.write(f"affilitest-check: {error}\n")
        return EXIT_STOPPED

    client = AffiliTestClient(args.base_url, key, pool_size=args.concurrency)
    if args.format == "csv":
        stdout = csv_ready(stdout)
    output = _Output(stdout, stderr, args.format, len(checks))
    rate = rate_for(args.limit, args.window)
    send_log = shared_send_log(rate, stderr)
    with StopOnSignals("affilitest-check", stderr, "the checks not answered were not "
                       "checked.") as signals:  # fmt: skip
        cause = run_batch(
            client, checks, output, rate=rate, concurrency=args.concurrency,
            send_log=send_log, stop=signals.event,
        )  # fmt: skip
    if send_log is not None:
        send_log.close()
    if output.progress:
        stderr.write("\n")
    if signals.event.is_set():
        stderr.write(f"affilitest-check: stopped: {output.finished} of {len(checks)} "
                     f"checked; not checked ({len(output.cancelled)}):\n")  # fmt: skip
        for request in output.cancelled:
            stderr.write(f"    {request.url} {request.country} {request.device}\n")
        return signals.exit_status
    if cause is not None:
        say_stopped("affilitest-check", cause, output.cancelled, stderr)
        return EXIT_STOPPED
    return EXIT_SOME_FAILED if output.failed else EXIT_OK


def main() -> None:
    sys.exit(run())
