"""What merging identical checks saves on a realistic watch list, witnessed by the
sandbox's request log.

The list is built the way CPI networks list app campaigns (seeded, so every run is the
same): 120 apps; each app's link is shared by its offers, which split the world by
geo and OS the way networks do: a tier-1 offer (US, GB, CA, AU, DE) beside single-country
offers that repeat some of its countries, and per-OS offers beside an all-devices one.
Identical checks (same link, country, device) are sent once and recorded for each offer.

    .venv/bin/python bench/merge_saving.py
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
import tempfile
from pathlib import Path

from affilitest_gui.offers_cli import run
from affilitest_gui.paths import DATA_DIR_VARIABLE
from affilitest_gui.sandbox import SandboxConfig, start_sandbox

APPS = 120
TIER_ONE = ("US", "GB", "CA", "AU", "DE")
OTHERS = ("BR", "MX", "FR", "IT", "ES", "JP", "KR", "IN")


def watch_list(base_url: str, seed: int = 7) -> list[str]:
    """CSV rows: Offer ID, URL, Geo, OS."""
    pick = random.Random(seed)
    rows, offer_id = [], 1000
    for app in range(APPS):
        link = f"{base_url}/demo/landing/app{app}"
        offers = []
        if pick.random() < 0.6:  # a tier-1 offer, all devices
            offers.append((" ".join(TIER_ONE), "Android|iOS"))
        for _ in range(pick.randint(1, 3)):  # single-country offers, some in tier 1
            country = pick.choice(TIER_ONE + OTHERS)
            offers.append((country, pick.choice(("Android", "iOS", "Android|iOS"))))
        if pick.random() < 0.3:  # a per-OS duplicate of the tier-1 offer
            offers.append((" ".join(TIER_ONE[:3]), "iOS"))
        for geo, systems in offers:
            offer_id += 1
            rows.append(f"{offer_id},{link},{geo},{systems}")
    return rows


def command(*argv: str, environ: dict[str, str]) -> list[dict]:
    out = io.StringIO()
    run(list(argv), stdout=out, stderr=io.StringIO(), environ=environ)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def main() -> int:
    # Scaled time: the limit's 50 calls in 0.3 s instead of 30 s (the count is the point).
    with tempfile.TemporaryDirectory() as tmp, start_sandbox(
        SandboxConfig(limit=50, window_s=0.3, budget=1_000_000)
    ) as sandbox:
        os.environ[DATA_DIR_VARIABLE] = str(Path(tmp) / "data")
        rows = watch_list(sandbox.base_url)
        offers_file = Path(tmp) / "offers.csv"
        offers_file.write_text("Offer ID,URL,Geo,OS\n" + "\n".join(rows) + "\n")
        env = {"AFFILITEST_API_KEY": sandbox.keys["valid"]}
        command("import", str(offers_file), environ=env)
        checks = command("run", "--base-url", sandbox.base_url, "--window", "0.3", "--yes",
                         environ=env)  # fmt: skip
        calls = len(sandbox.server.stats.requests("/api/v1/test"))
        refused = sandbox.server.stats.statuses.get(429, 0)
        lines = [line for line in checks if "health" in line]
        distinct = len({(line["url"], line["country"], line["device"]) for line in lines})
        print(f"(the sandbox saw {calls:,} requests, {refused} of them answered 429; "
              f"{distinct:,} distinct link x country x device)")  # fmt: skip
        calls -= refused  # a refused request is sent again: one call, counted once
        print(f"{len(rows):,} offers, {len(lines):,} checks, {calls:,} calls after merging "
              f"identical links: {100 * (1 - calls / len(lines)):.0f} % fewer calls")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
