"""The offline sandbox: an AffiliTest-compatible server on 127.0.0.1 with a demo site.

Its names load on first use: the server (and requests, which its tracer uses) need not
load before the app's window is on screen.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["Fault", "RunningSandbox", "SandboxConfig", "SandboxServer", "start_sandbox"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("affilitest_gui.sandbox.server"), name)
    raise AttributeError(name)
