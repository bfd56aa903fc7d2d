"""The layers stay apart: no Qt below the worker, no widgets below the UI, no HTTP in the
UI, and no import that runs back up the stack."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "affilitest_gui"
NO_QT = [
    "affilitest_gui.api.client", "affilitest_gui.api.catalog", "affilitest_gui.api.support",
    "affilitest_gui.judging.verdict", "affilitest_gui.engine.batch", "affilitest_gui.engine.retry",
    "affilitest_gui.history.store", "affilitest_gui.history.export", "affilitest_gui.sandbox",
    "affilitest_gui.keystore", "affilitest_gui.cli", "affilitest_gui.system_libs",
    "affilitest_gui.api.validation", "affilitest_gui.judging.records",
    "affilitest_gui.offers.importing", "affilitest_gui.judging.health",
    "affilitest_gui.history.offer_book", "affilitest_gui.offers_cli", "affilitest_gui.paths",
    "affilitest_gui.stdio", "affilitest_gui.running_flag", "affilitest_gui.networks.connector",
    "affilitest_gui.alerts.channel", "affilitest_gui.alerts.desktop", "affilitest_gui.judging",
    "affilitest_gui.judging.expectations", "affilitest_gui.chains.places",
    "affilitest_gui.runs.planner", "affilitest_gui.history.repository",
    "affilitest_gui.offers.choice",
]  # fmt: skip
# Bottom to top: a layer imports only from the layers before it (and from itself).
LAYERS = ["api", "engine", "chains", "judging", "offers", "networks", "history", "alerts",
          "runs", "worker", "session", "ui"]  # fmt: skip


def test_the_engine_layers_import_without_qt():
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in NO_QT)
        + "loaded = [m for m in sys.modules if m.startswith(('PySide6', 'qasync'))]\n"
        + "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_ui_and_the_worker_never_speak_http_themselves():
    for folder in ("ui", "worker"):
        for path in (PACKAGE / folder).glob("*.py"):
            modules = imported_modules(path)
            assert not any(m.split(".")[0] in ("requests", "urllib3") for m in modules), path


def test_the_worker_and_the_session_touch_no_widget():
    for folder in ("worker", "session"):
        for path in (PACKAGE / folder).glob("*.py"):
            assert "PySide6.QtWidgets" not in imported_modules(path), path


def test_no_import_runs_back_up_the_layers():
    for height, layer in enumerate(LAYERS):
        above = set(LAYERS[height + 1 :])
        for path in (PACKAGE / layer).rglob("*.py"):
            for module in imported_modules(path):
                parts = module.split(".")
                if parts[0] == "affilitest_gui" and len(parts) > 1:
                    assert parts[1] not in above, f"{path.name} ({layer}) imports {module}"


def test_the_sandbox_is_its_own_package():
    for path in (PACKAGE / "sandbox").rglob("*.py"):
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "affilitest_gui" and len(parts) > 1:
                assert parts[1] in ("sandbox", "loopback"), f"{path.name} imports {module}"


def test_the_data_folder_is_the_one_qt_names(qapp, monkeypatch):
    from PySide6.QtCore import QStandardPaths

    from affilitest_gui import APP_NAME, ORGANIZATION
    from affilitest_gui.paths import DATA_DIR_VARIABLE, data_dir

    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    app = qapp
    names = (app.organizationName(), app.applicationName())
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APP_NAME)
    try:
        location = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppLocalDataLocation
        )
    finally:
        app.setOrganizationName(names[0])
        app.setApplicationName(names[1])
    assert str(data_dir()) == location


# What the window's first paint must not wait for: they load just after it.
AFTER_THE_FIRST_PAINT = (
    "sqlite3", "requests", "asyncio", "qasync", "keyring", "affilitest_gui.history",
    "affilitest_gui.worker", "affilitest_gui.engine", "affilitest_gui.session.batches",
    "affilitest_gui.session.account", "affilitest_gui.ui.offers_view",
    "affilitest_gui.ui.results_panel", "affilitest_gui.ui.error_dialog",
)  # fmt: skip


def test_the_first_paint_waits_for_no_session_history_or_network_module(tmp_path):
    code = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from affilitest_gui.app import make_application\n"
        "from affilitest_gui.ui.main_window import MainWindow\n"
        "app = make_application()\n"
        f"window = MainWindow(QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))\n"
        "window.show()\n"
        "app.processEvents()\n"
        f"late = {AFTER_THE_FIRST_PAINT!r}\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(late))\n"
        "assert not loaded, loaded\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_no_test_module_imports_another():
    """Shared steps live in helper modules (tests/person.py, app_steps.py, ...), so a
    test module can be read, moved or deleted alone."""
    for path in Path(__file__).parent.glob("test_*.py"):
        for module in imported_modules(path):
            assert not module.startswith("tests.test_"), f"{path.name} imports {module}"


def import_graph() -> dict[str, set[str]]:
    """Each module of the package -> the package's modules it imports (type-only
    imports too: a circle in them is still a circle to read)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {}
    for name, path in modules.items():
        named = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                named |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                named |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        graph[name] = {other for other in named if other in modules and other != name}
    return graph


def test_no_import_circle_anywhere():
    graph = import_graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            circle = [*path[path.index(module) :], module]
            raise AssertionError("import circle: " + " -> ".join(circle))
        if module in done:
            return
        for other in sorted(graph[module]):
            visit(other, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_sql_lives_in_the_history_package_alone():
    """The layers above name the history's errors, never SQLite: a shared team database
    can later sit behind history/ without touching them."""
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "history":
            continue
        assert "sqlite3" not in imported_modules(path), path.relative_to(PACKAGE)


def test_views_reach_the_worker_only_through_the_session():
    for path in (PACKAGE / "ui").glob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith("affilitest_gui.worker"), f"{path.name} imports {module}"


def test_the_command_line_twins_stand_on_the_engine_and_the_history_only():
    """The twins sit beside the session (the app's side), never on it: they use the
    Qt-free layers below, so a headless machine runs them without the app."""
    allowed = {"api", "engine", "chains", "judging", "offers", "networks", "history", "alerts",
               "runs", "cli"}  # fmt: skip
    for name in ("cli.py", "offers_cli.py", "network_cli.py", "monitor_cli.py"):
        for module in imported_modules(PACKAGE / name):
            parts = module.split(".")
            if parts[0] == "affilitest_gui" and len(parts) > 1 and parts[1] in LAYERS:
                assert parts[1] in allowed, f"{name} imports {module}"


def imported_names(path: Path) -> set[str]:
    """Every `module.name` a file imports with `from module import name`."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_the_history_stores_what_judging_decided_and_judges_nothing():
    judging = {"affilitest_gui.judging.health.judge", "affilitest_gui.judging.records.record_for",
               "affilitest_gui.judging.verdict.verdict_for_result",
               "affilitest_gui.judging.verdict.verdict_for_error"}  # fmt: skip
    for path in (PACKAGE / "history").glob("*.py"):
        assert not imported_names(path) & judging, path.name
    judged_in = [p.name for p in PACKAGE.rglob("*.py") if "def judge(" in p.read_text("utf-8")]
    assert judged_in == ["health.py"]


QUEUE_WRITES = (".queue.enqueue(", ".queue.finish(", ".queue.requeue(", ".queue.sending(",
                ".queue.close_unsendable(", "record_for(")  # fmt: skip


def test_one_run_path_plans_journals_and_records_for_the_app_and_the_command_line():
    """The durable queue is written, and answers judged into records, by the run planner
    alone (history/ keeps it); the app's coordinator and `affilitest-offers run` drive
    it. affilitest-check judges its printed lines only, keeping no history."""
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name in ("history", "runs", "judging") or path.name == "cli.py":
            continue
        text = path.read_text(encoding="utf-8")
        used = [call for call in QUEUE_WRITES if call in text]
        assert not used, f"{path.relative_to(PACKAGE)} calls {used}"
    for driver in ("session/batches.py", "offers_cli.py"):
        assert "affilitest_gui.runs.planner" in imported_modules(PACKAGE / driver), driver
    cli = imported_modules(PACKAGE / "cli.py")
    assert not any(module.startswith("affilitest_gui.history.queue") for module in cli)


# The history's writers: what opens, changes or moves the files. Views get a Repository.
HISTORY_WRITERS = ("affilitest_gui.history.store", "affilitest_gui.history.send_log",
                   "affilitest_gui.history.owners", "affilitest_gui.history.moving",
                   "affilitest_gui.history.files")  # fmt: skip
WRITER_NAMES = ("HistoryStore", "OfferBook", "CheckQueue", "SharedSendLog", "set_aside",
                "PlatformBook")


def test_views_never_import_the_history_writers():
    """A view shows; it asks the session (or the Repository it was handed) for changes,
    and never reads or writes the keyring itself."""
    for path in (PACKAGE / "ui").glob("*.py"):
        modules, names = imported_modules(path), imported_names(path)
        assert not [m for m in modules if m.startswith(HISTORY_WRITERS)], path.name
        assert not [n for n in names if n.rsplit(".", 1)[1] in WRITER_NAMES], path.name
        keystore = {n for n in names if n.startswith("affilitest_gui.keystore.")}
        assert "keyring" not in modules, path.name  # the account session reads the keyring
        assert keystore <= {"affilitest_gui.keystore.StorageInfo"}, path.name


def test_the_qt_free_packages_import_no_qt_in_any_module():
    for package in ("api", "engine", "chains", "judging", "offers", "networks", "history",
                    "alerts", "runs"):  # fmt: skip
        for path in (PACKAGE / package).rglob("*.py"):
            qt = [m for m in imported_modules(path) if m.startswith(("PySide6", "qasync"))]
            assert not qt, f"{package}/{path.name} imports {qt}"


def test_the_history_loads_without_the_http_client():
    """The history opens at every start: the platforms' connections it keeps are plain
    settings, so requests still loads on the worker's first call, not here."""
    code = ("import sys\nimport affilitest_gui.history.store\n"
            "assert 'requests' not in sys.modules, 'the history loaded requests'\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
