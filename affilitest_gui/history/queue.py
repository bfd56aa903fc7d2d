"""The durable queue: nothing queued is lost on a crash, nothing answered is sent again.

Every check is written to the `pending` table before it is queued in memory, with its
owner: the process that will send it (`history.owners`). Just before each request the
row is marked `sent` and its sends counted, committed, on the thread that sends; the
answer moves it into the log (`checks`) in one transaction. After a hard kill the rows
left say what happened: `queued` ones were never sent (send them once), `sent` ones may
have been charged (send them again at most once, and say so). Only rows whose owner is
gone are leftovers; a process takes them over with a claim that one process alone wins,
so a live run's checks are never sent by another, and a leftover is sent by one.

Thread-safe: one connection behind a lock, used by the GUI thread and the senders.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

from affilitest_gui.api.models import CheckRequest
from affilitest_gui.history.columns import INSERT, values
from affilitest_gui.history.files import open_read_only
from affilitest_gui.history.owners import RunOwner, owner_alive
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import CANCELLED, HistoryRecord, now_text


class PendingState(str, Enum):
    """Where a pending check is: written down, or its request has left."""

    QUEUED = "queued"
    SENT = "sent"


QUEUED, SENT = PendingState.QUEUED, PendingState.SENT
MAX_SENDS = 2  # a check sent once without an answer is sent once more, never a third time
DISCARDED_VERDICT = "Not checked: discarded after the app stopped"
GAVE_UP_VERDICT = "Not finished: sent twice without an answer (may be charged twice)"
RESENT_REASON = "sent twice: the app stopped before the first answer came (may be charged twice)"


@dataclass(frozen=True)
class PendingCheck:
    """A check of the queue that has not finished."""

    request: CheckRequest  # with its `ref`
    state: PendingState
    sends: int
    offer_ref: int | None
    sandbox: bool
    owner: str | None = None  # the token of the process that left it

    @property
    def may_send_again(self) -> bool:
        return self.sends < MAX_SENDS



class CheckQueue:
    """The `pending` table of the history file (its schema is the history's)."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self._folder = path.parent
        if read_only:  # a read-only folder: what is waiting can be looked at, no more
            self._db = open_read_only(path)
            self._db.execute("PRAGMA busy_timeout = 10000")
        else:
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()
        self._owner: RunOwner | None = None  # made when this process first queues

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._owner is not None:
                self._owner.close()

    @property
    def owner(self) -> str:
        """This process's token (and its lock, taken before any row carries it)."""
        if self._owner is None:
            self._owner = RunOwner(self._folder)
        return self._owner.token

    def enqueue(
        self,
        requests: Sequence[CheckRequest],
        *,
        sandbox: bool,
        offer_refs: Sequence[int | None] | None = None,
    ) -> list[CheckRequest]:
        """Write the checks down (one transaction); returns them with their `ref`."""
        refs = offer_refs or [None] * len(requests)
        queued = []
        owner = self.owner
        with self._lock, self._db:
            for request, offer_ref in zip(requests, refs, strict=True):
                cursor = self._db.execute(
                    "INSERT INTO pending (url, country, device, preview_url, codes, offer_ref, "
                    "sandbox, queued_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (request.url, request.country, request.device, request.preview_url,
                     int(request.codes), offer_ref, int(sandbox), now_text(), owner),
                )  # fmt: skip
                queued.append(replace(request, ref=cursor.lastrowid))
        return queued

    def sending(self, request: CheckRequest) -> None:
        """Just before a request leaves: committed, so a crash after it knows it left.
        `sends` counts the runs that sent it, not the retries of one run; the day's
        calls count every attempt (each is a call the account pays for)."""
        if request.ref is None:
            return
        today = datetime.now(timezone.utc).date().isoformat()
        with self._lock, self._db:
            self._db.execute(
                "UPDATE pending SET sends = sends + (state = ?), state = ? WHERE id = ?",
                (QUEUED, SENT, request.ref),
            )
            self._db.execute(
                "INSERT INTO call_days (day, sandbox, calls) SELECT ?, sandbox, 1 FROM pending "
                "WHERE id = ? ON CONFLICT (day, sandbox) DO UPDATE SET calls = calls + 1",
                (today, request.ref),
            )

    def claim(self, checks: Iterable[PendingCheck]) -> list[PendingCheck]:
        """Take leftovers over for this process: each one that no other process claimed
        first (one write transaction; a row is taken only from the owner it was found
        with). Returns those taken."""
        owner = self.owner
        taken = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for check in checks:
                    cursor = self._db.execute(
                        "UPDATE pending SET owner = ? WHERE id = ? AND owner IS ?",
                        (owner, check.request.ref, check.owner),
                    )
                    if cursor.rowcount == 1:
                        taken.append(replace(check, owner=owner))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return taken

    def requeue(self, checks: Iterable[PendingCheck]) -> list[CheckRequest]:
        """Checks a crash left, to send again (a sent one keeps its count of sends): only
        those this process claims."""
        requests = [check.request for check in self.claim(checks)]
        with self._lock, self._db:
            self._db.executemany(
                "UPDATE pending SET state = ? WHERE id = ?",
                [(QUEUED, request.ref) for request in requests],
            )
        return requests

    def finish(
        self, request: CheckRequest, record: HistoryRecord, *also: HistoryRecord
    ) -> list[HistoryRecord]:
        """Log the outcome and drop the check from the queue, in one transaction; `also`:
        the same answer recorded for other offers that asked the identical check (one
        call for them all). Returns the rows stored, in order."""
        stored = []
        with self._lock, self._db:
            sends = None
            if request.ref is not None:
                row = self._db.execute(
                    "SELECT sends FROM pending WHERE id = ?", (request.ref,)
                ).fetchone()
                sends = row[0] if row is not None else None
                self._db.execute("DELETE FROM pending WHERE id = ?", (request.ref,))
            for answered in (record, *also):
                row = answered if sends is None else replace(answered, sends=sends)
                if request.ref is not None and row.sends >= MAX_SENDS:
                    row = replace(row, reasons=(*row.reasons, RESENT_REASON))
                cursor = self._db.execute(INSERT, values(row))
                stored.append(replace(row, id=cursor.lastrowid))
        return stored

    def unfinished(self, *, sandbox: bool | None = None) -> list[PendingCheck]:
        """What a crash left, oldest first (`sandbox`: one mode only): the checks whose
        owner is gone. This process's own, and a live run's, are not leftovers."""
        where, params = ("", ()) if sandbox is None else (" WHERE sandbox = ?", (int(sandbox),))
        with self._lock:
            rows = self._db.execute(
                "SELECT id, url, country, device, preview_url, codes, state, sends, offer_ref, "
                f"sandbox, owner FROM pending{where} ORDER BY id",
                params,
            ).fetchall()
        alive: dict[str | None, bool] = {None: False}  # no owner: queued before v4
        if self._owner is not None:
            alive[self._owner.token] = True
        checks = []
        for id_, url, country, device, preview, codes, state, sends, offer_ref, mode, owner in rows:
            if owner not in alive:
                alive[owner] = owner_alive(self._folder, owner)
            if alive[owner]:
                continue
            request = CheckRequest(url, country, device, preview, bool(codes), ref=id_)
            checks.append(PendingCheck(request, PendingState(state), sends, offer_ref,
                                       bool(mode), owner))  # fmt: skip
        return checks

    def close_unsendable(self, checks: Iterable[PendingCheck], verdict: str) -> int:
        """Log checks that will not be sent (discarded, or sent twice already) as not
        checked, so the history shows each check once; returns how many. Only those this
        process claims: another process may have taken some over meanwhile."""
        count = 0
        for check in self.claim(checks):
            record = HistoryRecord(
                checked_at=now_text(), url=check.request.url, country=check.request.country,
                device=check.request.device, outcome=CANCELLED, verdict=verdict,
                preview_url=check.request.preview_url, codes=check.request.codes,
                sandbox=check.sandbox, offer_ref=check.offer_ref, reasons=(verdict,),
            )  # fmt: skip
            self.finish(check.request, replace(record, health=Health.CANCELLED))
            count += 1
        return count
