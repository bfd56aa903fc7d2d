"""Sync from the fake network platforms: time and calls for a big list.

Each platform's fake holds N offers (90% active). A sync without a test affiliate reads
the pages only; with one, the first sync also asks the platform for each offer's link
(Everflow and HasOffers make them; Affise's are built), paced below each platform's
limit; a second sync reuses the links it has.

    .venv/bin/python bench/network_sync.py [--offers 2000] [--platforms everflow,...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from affilitest_gui.history.store import HistoryStore
from affilitest_gui.networks.connect import connect
from affilitest_gui.networks.connections import Connection
from affilitest_gui.runs.network_sync import plan_from_platform, save_plan
from affilitest_gui.sandbox import SandboxConfig, start_sandbox
from affilitest_gui.sandbox.platforms import HASOFFERS_NETWORK, KEYS


def one_sync(store: HistoryStore, connection: Connection) -> tuple[float, int, dict[str, int]]:
    connector = connect(connection, KEYS[connection.platform])
    started = time.perf_counter()
    plan = plan_from_platform(connector, connection, store)
    save_plan(plan, store, connection)
    spent = time.perf_counter() - started
    calls = connector.http.calls  # type: ignore[attr-defined]
    connector.close()
    return spent, calls, plan.summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=2000)
    parser.add_argument("--platforms", default="affise,everflow,hasoffers")
    parser.add_argument("--partner", default="", help="a test affiliate: links asked for too")
    args = parser.parse_args()
    with start_sandbox(SandboxConfig(platform_offers=args.offers)) as sandbox:
        for platform in args.platforms.split(","):
            with tempfile.TemporaryDirectory() as folder:
                store = HistoryStore(Path(folder) / "history.sqlite3")
                connection = Connection(
                    platform, base_url=sandbox.base_url, partner=args.partner,
                    network_id=HASOFFERS_NETWORK if platform == "hasoffers" else "",
                    tracking_domain=sandbox.base_url if platform == "affise" else "",
                )  # fmt: skip
                for run in ("first", "second"):
                    spent, calls, summary = one_sync(store, connection)
                    print(f"{platform:9} {run:6} sync of {args.offers:,} offers: {spent:6.1f} s, "
                          f"{calls:,} calls, {summary}")  # fmt: skip
                store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
