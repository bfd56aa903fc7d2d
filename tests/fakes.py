"""Test doubles shared by several test modules."""

from __future__ import annotations

import threading

from affilitest_gui.engine.events import ItemEvent, ItemState, RunnerEvent


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "a throttle must never sleep for nothing"
        self.now += seconds


class EventLog:
    """Collects runner events (from any thread) and checks the one-terminal-state rule."""

    def __init__(self) -> None:
        self.events: list[RunnerEvent] = []
        self._lock = threading.Lock()

    def __call__(self, event: RunnerEvent) -> None:
        with self._lock:
            self.events.append(event)

    def of_type(self, kind: type) -> list:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]

    def terminal(self) -> dict[int, ItemEvent]:
        """item id -> its terminal event; fails if any item ended twice."""
        ends: dict[int, ItemEvent] = {}
        for event in self.of_type(ItemEvent):
            if event.state.is_terminal:
                assert event.item_id not in ends, f"item {event.item_id} ended twice"
                ends[event.item_id] = event
        return ends

    def states(self, item_id: int) -> list[ItemState]:
        return [e.state for e in self.of_type(ItemEvent) if e.item_id == item_id]


class EmptyKeyring:
    """A keyring entry with nothing in it (the command line's secrets then come from
    the environment alone)."""

    def get(self) -> None:
        return None


def no_secrets(_entry: str) -> EmptyKeyring:
    return EmptyKeyring()
