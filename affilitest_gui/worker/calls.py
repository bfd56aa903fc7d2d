"""One-off calls (calls left, app info, key check, login) and their result-or-error."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from affilitest_gui.api.errors import AffiliTestError


class CallKind(str, Enum):
    CALLS_LEFT = "calls_left"
    APP_INFO = "app_info"
    VERIFY_KEY = "verify_key"
    LOGIN = "login"
    LOGOUT = "logout"


@dataclass(frozen=True)
class CallRequest:
    call_id: int
    kind: CallKind
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallOutcome:
    """Exactly one of `value` / `error` is meaningful; `error` None means success."""

    call_id: int
    kind: CallKind
    value: Any = None
    error: AffiliTestError | None = None
