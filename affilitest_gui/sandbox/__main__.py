"""`python -m affilitest_gui.sandbox`: serve the sandbox until SIGINT/SIGTERM (Ctrl+C,
or Ctrl+Break on Windows, where SIGTERM cannot be caught).

Prints one JSON line when ready: base URL, the demo keys and the demo login.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from affilitest_gui.sandbox.server import SandboxConfig, SandboxServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m affilitest_gui.sandbox",
        description="An AffiliTest-compatible server on 127.0.0.1, for demos and tests.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--limit", type=int, default=50, help="requests per window (50)")
    parser.add_argument("--window", type=float, default=30.0, help="window in seconds (30)")
    parser.add_argument("--latency", type=float, default=0.0, help="mean latency, s (0)")
    parser.add_argument("--p500", type=float, default=0.0, help="share of HTTP 500s (0)")
    parser.add_argument("--seed", type=int, default=0, help="seed for keys and faults (0)")
    parser.add_argument("--budget", type=int, default=10_000, help="calls per account")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = SandboxConfig(
        limit=args.limit,
        window_s=args.window,
        latency_s=args.latency,
        p500=args.p500,
        seed=args.seed,
        budget=args.budget,
    )
    server = SandboxServer(config, args.port)

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if sys.platform == "win32":
        signal.signal(signal.SIGBREAK, stop)
    print(server.ready_line(), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
