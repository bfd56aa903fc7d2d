"""`affilitest-check`: the engine without Qt, for automation and for testing the engine.

Every URL x country x device is one check; one JSON line (or CSV row) per finished
check. The key comes from AFFILITEST_API_KEY or the keyring, never from a flag.
Exit status: 0 all ok, 1 some failed, 2 usage error or batch stopped on auth/budget.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable
from functools import partial
from typing import IO, Any

from affilitest_gui import __version__
from affilitest_gui.api.catalog import describe
from affilitest_gui.api.client import DEFAULT_BASE_URL, AffiliTestClient
from affilitest_gui.api.errors import AffiliTestError, InputError
from affilitest_gui.api.limits import API_RATE_LIMIT, DEFAULT_CONCURRENCY, RateLimit
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.api.validation import (
    DEVICE_PRESETS,
    validate_api_key,
    validate_country,
    validate_device,
    validate_url,
)
from affilitest_gui.engine.batch import BatchRunner
from affilitest_gui.engine.events import BatchPaused, ItemEvent, ItemState, RunnerEvent
from affilitest_gui.engine.throttle import SlidingWindowThrottle
from affilitest_gui.keystore import KeyStore

EXIT_OK, EXIT_SOME_FAILED, EXIT_STOPPED = 0, 1, 2
KEY_VARIABLE = "AFFILITEST_API_KEY"
CSV_FIELDS = (
    "url",
    "country",
    "device",
    "status",
    "hops",
    "final_url",
    "attempts",
    "elapsed_s",
    "error_kind",
    "error_status",
    "error_message",
)


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
    countries = [valid(validate_country, c) for c in dict.fromkeys(args.country or ["us"])]
    devices = [valid(validate_device, d) for d in dict.fromkeys(args.device or ["android"])]
    preview = (
        valid(partial(validate_url, field="preview_url"), args.preview) if args.preview else None
    )
    if problems:
        raise UsageError("\n".join(problems))
    return [
        CheckRequest(url, country, device, preview, codes=not args.no_codes)
        for url, country, device in itertools.product(clean_urls, countries, devices)
    ]


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


def check_record(event: ItemEvent) -> dict[str, Any]:
    """The output line of one finished check."""
    request, result = event.request, event.result
    hops = [{"url": hop.url, "code": hop.code} for hop in result.hops] if result else []
    return {
        "url": request.url,
        "country": request.country,
        "device": request.device,
        "status": "ok" if event.state is ItemState.DONE else "failed",
        "hops": hops,
        "final_url": result.final_url if result else None,
        "attempts": result.attempts if result else event.attempt,
        "elapsed_s": round(result.elapsed_s, 3) if result else None,
        "error": error_record(event.error) if event.error else None,
    }


class _Output:
    """Writes finished checks as they arrive; remembers what did not finish."""

    def __init__(self, out: IO[str], err: IO[str], fmt: str, total: int) -> None:
        self.out, self.err, self.total = out, err, total
        self.progress = err.isatty()
        self.finished = self.failed = 0
        self.cancelled: list[CheckRequest] = []
        self.stop_cause: AffiliTestError | None = None
        self.stopped = threading.Event()
        self._csv = csv.DictWriter(out, CSV_FIELDS) if fmt == "csv" else None
        if self._csv:
            self._csv.writeheader()

    def __call__(self, event: RunnerEvent) -> None:
        if isinstance(event, BatchPaused) and event.cause is not None:
            self.stop_cause = event.cause
            self.stopped.set()
        if not isinstance(event, ItemEvent) or not event.state.is_terminal:
            return
        if event.state is ItemState.CANCELLED:
            self.cancelled.append(event.request)
            return
        self.finished += 1
        self.failed += event.state is ItemState.FAILED
        record = check_record(event)
        if self._csv:
            self._csv.writerow(_csv_row(record))
        else:
            self.out.write(json.dumps(record) + "\n")
        self.out.flush()
        if self.progress:
            self.err.write(f"\r{self.finished}/{self.total} checked, {self.failed} failed ")
            self.err.flush()


def _csv_row(record: dict[str, Any]) -> dict[str, Any]:
    error = record["error"] or {}
    hops = " -> ".join(
        f"{h['url']} [{h['code'] if h['code'] is not None else '-'}]" for h in record["hops"]
    )
    return {
        **{k: record[k] for k in ("url", "country", "device", "status", "final_url")},
        "hops": hops,
        "attempts": record["attempts"],
        "elapsed_s": record["elapsed_s"],
        "error_kind": error.get("kind", ""),
        "error_status": error.get("status", ""),
        "error_message": error.get("message", ""),
    }


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
        checks = build_requests(args, read_urls(args, stdin))
        key = read_key(environ, store)
        if args.limit < 1 or args.window <= 0 or args.concurrency < 1:
            raise UsageError("--limit, --window and --concurrency must be positive")
    except UsageError as error:
        stderr.write(f"affilitest-check: {error}\n")
        return EXIT_STOPPED

    rate = (
        API_RATE_LIMIT
        if (args.limit, args.window) == (API_RATE_LIMIT.limit, API_RATE_LIMIT.window_s)
        else RateLimit.scaled(args.limit, args.window)
    )
    client = AffiliTestClient(args.base_url, key, pool_size=args.concurrency)
    output = _Output(stdout, stderr, args.format, len(checks))
    runner = BatchRunner(
        client.check, output, throttle=SlidingWindowThrottle(rate), concurrency=args.concurrency
    )
    runner.submit(checks)
    while not runner.wait_idle(0.2):
        if output.stopped.is_set():
            runner.cancel()
    runner.shutdown()
    if output.progress:
        stderr.write("\n")
    if output.stop_cause is not None:
        explained = describe(output.stop_cause)
        stderr.write(
            f"affilitest-check: stopped: {explained.title}. {explained.explanation}\n"
            f"  What to do: {explained.advice}\n"
            f"  Not checked ({len(output.cancelled)}):\n"
        )
        for request in output.cancelled:
            stderr.write(f"    {request.url} {request.country} {request.device}\n")
        return EXIT_STOPPED
    return EXIT_SOME_FAILED if output.failed else EXIT_OK


def main() -> None:
    sys.exit(run())
