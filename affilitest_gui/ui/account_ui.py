"""The account as a person handles it: the API key and login dialogs (one of each at a
time), log out, and switching between the live service and the sandbox (not while a
batch runs). The account session does the work; this only asks and shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow

from affilitest_gui.api.catalog import describe
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.ui.msgbox import show_message

if TYPE_CHECKING:
    from affilitest_gui.keystore import StorageInfo
    from affilitest_gui.session.account import AccountSession
    from affilitest_gui.session.batches import BatchCoordinator
    from affilitest_gui.session.networks import NetworksSession
    from affilitest_gui.ui.key_dialog import KeyDialog, LoginDialog
    from affilitest_gui.ui.networks_dialog import NetworksDialog


class AccountUi(QObject):
    """Owned by the main window, whose status bar it speaks in."""

    def __init__(
        self,
        window: QMainWindow,
        account: AccountSession,
        batches: BatchCoordinator,
        networks: NetworksSession,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.account = account
        self.batches = batches
        self.networks = networks
        self.key_dialog: KeyDialog | None = None
        self.login_dialog: LoginDialog | None = None
        self.networks_dialog: NetworksDialog | None = None
        networks.synced.connect(lambda said: window.statusBar().showMessage(said, 30_000))

    def show_key_dialog(self) -> None:
        if self.key_dialog is not None and self.key_dialog.isVisible():
            self.key_dialog.raise_()
            self.key_dialog.activateWindow()
            return
        from affilitest_gui.ui.key_dialog import KeyDialog  # noqa: PLC0415 - on first use

        dialog = KeyDialog(self.account, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.key_saved.connect(self._key_saved)
        dialog.sandbox_requested.connect(self.enable_sandbox)
        dialog.login_requested.connect(self.show_login_dialog)
        dialog.destroyed.connect(lambda: setattr(self, "key_dialog", None))
        self.key_dialog = dialog
        dialog.show()

    def _key_saved(self, info: StorageInfo) -> None:
        self.window.statusBar().showMessage(
            f"Key saved. {info.sentence}" if info.secure else info.sentence, 10_000
        )

    def show_login_dialog(self) -> None:
        if self.login_dialog is not None and self.login_dialog.isVisible():
            self.login_dialog.raise_()
            return
        from affilitest_gui.ui.key_dialog import LoginDialog  # noqa: PLC0415 - on first use

        dialog = LoginDialog(self.account, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "login_dialog", None))
        self.login_dialog = dialog
        dialog.show()

    def show_networks_dialog(self) -> None:
        """Account -> Networks: connect a platform, test it, sync its offers."""
        if self.networks_dialog is not None and self.networks_dialog.isVisible():
            self.networks_dialog.raise_()
            return
        from affilitest_gui.ui.networks_dialog import NetworksDialog  # noqa: PLC0415

        demo = None
        if self.account.sandbox is not None:  # the sandbox's fakes of the platforms
            from affilitest_gui.sandbox.platforms import KEYS  # noqa: PLC0415

            demo = (self.account.sandbox.base_url, dict(KEYS))
        dialog = NetworksDialog(self.networks, demo=demo, parent=self.window)
        dialog.synced.connect(lambda said: self.window.statusBar().showMessage(said, 10_000))
        dialog.destroyed.connect(lambda: setattr(self, "networks_dialog", None))
        self.networks_dialog = dialog
        dialog.show()

    async def log_out(self) -> None:
        try:
            await self.account.log_out()
        except AffiliTestError as error:
            self.window.statusBar().showMessage(
                f"Logged out on this computer. AffiliTest could not end its session "
                f"({describe(error).title}): it ends by itself when it expires.", 12_000
            )
        else:
            self.window.statusBar().showMessage("Logged out.", 8000)

    def enable_sandbox(self) -> None:
        if self._mode_can_change():
            self.account.enable_sandbox()

    def set_sandbox(self, wanted: bool) -> None:
        """The menu's Sandbox mode, ticked or unticked."""
        if not self._mode_can_change():
            return
        if wanted:
            self.account.enable_sandbox()
        else:
            self.account.disable_sandbox()

    def _mode_can_change(self) -> bool:
        if not self.batches.progress.active:
            return True
        show_message(
            self.window, "Checks are running",
            "Switch between the sandbox and the live service when the batch has finished "
            "(or cancel it first).",
        )  # fmt: skip
        return False
