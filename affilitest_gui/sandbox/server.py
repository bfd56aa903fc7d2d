"""An AffiliTest-compatible HTTP server on 127.0.0.1: the offline sandbox.

It speaks the public contract (envelope, 400/401/403/429/500 with the seed's messages,
a sliding 50-per-30-s window per account, a budget per account), traces offers for
real over loopback, and serves a demo site. `start_sandbox()` runs it in-process.
"""

from __future__ import annotations

import dataclasses
import json
import random
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from affilitest_gui.sandbox import platforms
from affilitest_gui.sandbox.accounts import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    SESSION_COOKIE,
    Account,
    Accounts,
    Refused,
)
from affilitest_gui.sandbox.demo_site import DEMO_APPS, PLAY_STORE, demo_page
from affilitest_gui.sandbox.platforms import Platforms
from affilitest_gui.sandbox.tracer import trace


@dataclass(frozen=True)
class SandboxConfig:
    """How the sandbox behaves; the defaults are the real API's limit, no faults."""

    limit: int = 50
    window_s: float = 30.0
    latency_s: float = 0.0
    p500: float = 0.0
    seed: int = 0
    budget: int = 10_000
    retry_after: bool = True
    session_ttl_s: float = 3600.0
    platform_offers: int = 230  # each fake network platform's offers


@dataclass
class Fault:
    """A canned answer for the next `times` API requests (to `path`, if given)."""

    status: int
    body: str = ""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    path: str | None = None
    drop: bool = False  # close the connection without answering (a reset after sending)
    delay_s: float = 0.0


@dataclass(frozen=True)
class LoggedRequest:
    """One API request the sandbox answered (or dropped): what was asked, never the key."""

    path: str
    status: int
    url: str = ""
    country: str = ""
    device: str = ""
    at: float = 0.0  # monotonic time the answer was sent

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Stats:
    """What the server saw: statuses, admissions and a request log (for tests and benches)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.arrivals: list[float] = []
        self._log: list[LoggedRequest] = []

    def record(self, status: int, path: str = "", fields: dict[str, str] | None = None) -> None:
        """One answer sent: counted by status and written to the request log."""
        fields = fields or {}
        entry = LoggedRequest(
            path=path,
            status=status,
            url=fields.get("url", ""),
            country=fields.get("country", ""),
            device=fields.get("device", ""),
            at=time.monotonic(),
        )
        with self._lock:
            self.statuses[status] += 1
            self._log.append(entry)

    def requests(self, path: str | None = None) -> list[LoggedRequest]:
        """The request log in the order answers were sent, for one path if given."""
        with self._lock:
            return [entry for entry in self._log if path is None or entry.path == path]

    def admitted(self, at: float) -> None:
        """An API call passed the rate window at `at` (it counts against the limit)."""
        with self._lock:
            self.arrivals.append(at)

    def max_in_window(self, window_s: float) -> int:
        """The most admitted API calls within any `window_s` span."""
        with self._lock:
            times = sorted(self.arrivals)
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= window_s:
                start += 1
            best = max(best, end - start + 1)
        return best

    def arrival_times(self) -> list[float]:
        """Monotonic arrival times (comparable across processes on one machine)."""
        with self._lock:
            return sorted(self.arrivals)


class SandboxServer(ThreadingHTTPServer):
    """The server object; the handler reaches config, accounts and faults through it."""

    daemon_threads = True
    block_on_close = False
    # socketserver's default backlog of 5 drops SYNs when a client opens its 12
    # connections at once; each dropped SYN costs the client a 1 s retransmission.
    request_queue_size = 128

    def __init__(self, config: SandboxConfig, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.config = config
        self.accounts = Accounts(
            seed=config.seed,
            budget=config.budget,
            limit=config.limit,
            window_s=config.window_s,
            session_ttl_s=config.session_ttl_s,
        )
        self.stats = Stats()
        self.platforms = Platforms(offers_each=config.platform_offers)
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._rng = random.Random(config.seed)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up (timed out, cancelled) is not a server error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def push_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is None or fault.path == path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def random(self) -> float:
        with self._lock:
            return self._rng.random()

    def ready_line(self) -> str:
        """The one JSON line `python -m affilitest_gui.sandbox` prints when ready."""
        return json.dumps(
            {
                "base_url": self.base_url,
                "keys": self.accounts.keys,
                "login": {"email": DEMO_EMAIL, "password": DEMO_PASSWORD},
            }
        )


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    server_version = "AffiliTestSandbox/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sandbox never logs requests (they carry keys)."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    # --- plumbing -------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        if parts.path == "/demo" or parts.path.startswith("/demo/"):
            page = demo_page(self.path, dict(self.headers.items()))
            extra = {"Location": page.location} if page.location else {}
            self._send(page.status, page.body, "text/html; charset=utf-8", extra)
            return
        if platforms.handles(parts.path):  # the fake network platforms
            fault = self.server.take_fault(parts.path)
            if fault is not None:
                self._serve_fault(fault, parts.path, {})
                return
            status, text, headers = platforms.serve(
                self.server.platforms, self.server.base_url, method, self.path,
                headers=dict(self.headers.items()), body=body,
            )
            self._send(status, text, headers.pop("Content-Type"), headers)
            return
        fields = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path == "/sandbox/stats":
            self._send(200, json.dumps(self._stats(fields)), "application/json", {})
            return
        if method == "POST":
            fields.update({k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()})
        flags = set(parse_qs(parts.query, keep_blank_values=True))
        fault = self.server.take_fault(parts.path)
        if fault is not None:
            self._serve_fault(fault, parts.path, fields)
            return
        try:
            status, payload, headers = self._api(method, parts.path, fields, flags)
        except Refused as refusal:
            status, payload, headers = refusal.status, _envelope(error=refusal.message), {}
            if refusal.status == 429 and self.server.config.retry_after:
                headers = refusal.headers
        self.server.stats.record(status, parts.path, fields)
        self._send(status, json.dumps(payload), "application/json", headers)

    def _serve_fault(self, fault: Fault, path: str, fields: dict[str, str]) -> None:
        time.sleep(fault.delay_s)
        self.server.stats.record(fault.status, path, fields)
        if fault.drop:
            self.close_connection = True
            return
        self._send(fault.status, fault.body, fault.content_type, fault.headers)

    def _send(self, status: int, body: str, content_type: str, headers: dict[str, str]) -> None:
        data = body.encode("utf-8")
        self.send_response_only(status)
        self.send_header("Server", self.version_string())
        if "Date" not in headers:
            self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _stats(self, fields: dict[str, str]) -> dict[str, Any]:
        """What the sandbox saw, for tests and benchmarks that run it as a process."""
        stats = self.server.stats
        window = float(fields.get("window") or self.server.config.window_s)
        return {
            "statuses": {str(code): count for code, count in stats.statuses.items()},
            "max_in_window": stats.max_in_window(window),
            "window_s": window,
            "arrivals": stats.arrival_times() if fields.get("arrivals") else None,
            "requests": [r.as_json() for r in stats.requests()] if fields.get("requests") else None,
        }

    def _session_token(self) -> str | None:
        raw = self.headers.get("Cookie")
        if raw is None:
            return None
        cookie = SimpleCookie()
        cookie.load(raw)
        morsel = cookie.get(SESSION_COOKIE)
        return morsel.value if morsel is not None else None

    def _latency(self) -> None:
        latency = self.server.config.latency_s
        if latency > 0:
            time.sleep(latency * (0.5 + self.server.random()))

    # --- the API --------------------------------------------------------------------

    def _api(
        self, method: str, path: str, fields: dict[str, str], flags: set[str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        accounts = self.server.accounts
        if path == "/user/login" and method == "POST":
            token = accounts.login(fields.get("email", ""), fields.get("password", ""))
            cookie = f"{SESSION_COOKIE}={token}; Path=/; HttpOnly"
            return 200, _envelope("Successfuly logged in!"), {"Set-Cookie": cookie}
        if path == "/user/logout" and method in ("POST", "GET"):  # the vendor's client GETs
            accounts.logout(self._session_token())
            return 200, _envelope("Logged out"), {}
        routes = {
            ("POST", "/api/v1/test"): self._test,
            ("POST", "/api/v1/compareToPreview"): self._compare,
            ("GET", "/api/v1/appInfo"): self._app_info,
            ("GET", "/api/v1/callsLeft"): self._calls_left,
        }
        handler = routes.get((method, path))
        if handler is None:
            return int(HTTPStatus.NOT_FOUND), _envelope(error=f"No such endpoint: {path}"), {}
        account = accounts.authenticate(self.headers.get("Authorization"), self._session_token())
        self.server.stats.admitted(accounts.admit(account))
        self._latency()
        if self.server.random() < self.server.config.p500:
            raise Refused(500, "Internal Server Error")
        return 200, handler(account, fields, flags), {}

    def _require(self, fields: dict[str, str], *names: str) -> None:
        missing = [name for name in names if not fields.get(name, "").strip()]
        if missing:
            raise Refused(400, f"Missing parameters: {', '.join(missing)}")

    def _traced(
        self, account: Account, fields: dict[str, str], flags: set[str]
    ) -> tuple[list[str], dict[str, Any]]:
        self._require(fields, "url", "country", "device")
        self.server.accounts.charge(account)
        result = trace(fields["url"], fields["device"], fields["country"].lower())
        meta: dict[str, Any] = {"sandbox": True}
        if "codes" in flags:
            meta["codes"] = [code for _, code in result.hops]
        if result.stopped:
            meta["stopped"] = result.stopped
        return [url for url, _ in result.hops], meta

    def _test(self, account: Account, fields: dict[str, str], flags: set[str]) -> dict[str, Any]:
        urls, meta = self._traced(account, fields, flags)
        return _envelope(urls, meta)

    def _compare(self, account: Account, fields: dict[str, str], flags: set[str]) -> dict[str, Any]:
        self._require(fields, "previewURL")
        urls, meta = self._traced(account, fields, flags)
        match = bool(urls) and _same_page(urls[-1], fields["previewURL"])
        return _envelope({"match": match, "urls": urls}, meta)

    def _app_info(
        self, account: Account, fields: dict[str, str], flags: set[str]
    ) -> dict[str, Any]:
        package = fields.get("package", "").strip()
        url = fields.get("url", "").strip()
        if not package and not url:
            raise Refused(400, "Missing parameters: url or package")
        if url:
            query = parse_qs(urlsplit(url).query)
            package = query.get("id", [""])[0] or urlsplit(url).path.rsplit("id", 1)[-1]
        if package.isdigit() and not fields.get("country") and not url:
            raise Refused(400, "Missing parameters: country (needed with an App Store id)")
        app = DEMO_APPS.get(package)
        if app is None:
            raise Refused(400, f"App not found: {package}")
        store = PLAY_STORE + package if app["platform"] == "android" else None
        return _envelope({"package": package, "storeUrl": store, **app})

    def _calls_left(
        self, account: Account, fields: dict[str, str], flags: set[str]
    ) -> dict[str, Any]:
        return _envelope(account.budget)


def _envelope(
    data: Any = None, meta: dict[str, Any] | None = None, error: str | None = None
) -> dict[str, Any]:
    return {"error": error, "data": data, "meta": meta or {}}


def _same_page(final_url: str, preview_url: str) -> bool:
    def key(url: str) -> tuple[str, str, tuple[str, ...]]:
        parts = urlsplit(url)
        ids = tuple(parse_qs(parts.query).get("id", []))
        return (parts.hostname or "", parts.path.rstrip("/"), ids)

    return key(final_url) == key(preview_url)


class RunningSandbox:
    """A sandbox serving on a background thread; a context manager that stops it."""

    def __init__(self, config: SandboxConfig | None = None, port: int = 0) -> None:
        self.server = SandboxServer(config or SandboxConfig(), port)
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="affilitest-sandbox",
            daemon=True,
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def keys(self) -> dict[str, str]:
        return self.server.accounts.keys

    def stop(self) -> None:
        """Stop serving; calling it again does nothing."""
        if not self._thread.is_alive():
            return
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox(config: SandboxConfig | None = None, port: int = 0) -> RunningSandbox:
    """Start a sandbox on 127.0.0.1 (a free port unless `port` is given)."""
    return RunningSandbox(config, port)
