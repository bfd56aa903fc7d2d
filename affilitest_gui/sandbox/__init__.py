"""The offline sandbox: an AffiliTest-compatible server on 127.0.0.1 with a demo site."""

from affilitest_gui.sandbox.server import (
    Fault,
    RunningSandbox,
    SandboxConfig,
    SandboxServer,
    start_sandbox,
)

__all__ = ["Fault", "RunningSandbox", "SandboxConfig", "SandboxServer", "start_sandbox"]
