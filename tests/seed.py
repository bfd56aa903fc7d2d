"""The vendor's own page, as the tests read it: its 401 and 403 messages, and what the
app is expected to offer for each."""

from __future__ import annotations

from pathlib import Path

from affilitest_gui.api.catalog import Action

SEED = Path(__file__).parent / "data" / "affilitest-api-docs.txt"
SHARED_SEED = Path(__file__).parents[2] / "shared" / "seed" / "affilitest-api-docs.txt"


def seed_bullets(after: str) -> list[str]:
    """The bullet lines of the first list after the line containing `after`."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    bullets = []
    for line in lines[start + 1 :]:
        if line.strip().startswith("\u2022"):
            bullets.append(line.strip().lstrip("\u2022").strip())
        elif bullets and line.strip():
            break
    return bullets


SEED_401 = seed_bullets("the following error messages")
SEED_401_MEANINGS = seed_bullets("Respectively, it means the following")
SEED_403 = seed_bullets("403 Status Forbidden occurs on two occasions")
EXPECTED_401_ACTIONS = {
    "Authorization is needed to access this feature": Action.ENTER_KEY,
    "Missing Authorization data": Action.ENTER_KEY,
    "Invalid Authorization type": Action.CONTACT_SUPPORT,
    "Invalid API Key length": Action.ENTER_KEY,
    "Invalid API Key": Action.ENTER_KEY,
    "Incorrect session value provided": Action.LOGIN,
    "Login session expired": Action.LOGIN,
    "Please verify your account": Action.VERIFY_ACCOUNT,
}
