"""Where the API key lives: the OS keyring, or this process's memory when there is none.

The store knows whether its backend is a real secure store and says where the key is
kept in words a user understands. It never writes a key anywhere else.
"""

from __future__ import annotations

import logging
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keyring.backend

SERVICE = "AffiliTest GUI"
ACCOUNT = "api-key"

log = logging.getLogger(__name__)

_PLACES_BY_MODULE = {
    "keyring.backends.macOS": "the macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.SecretService": "your desktop's Secret Service (GNOME Keyring / KWallet)",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.libsecret": "your desktop's Secret Service (libsecret)",
}
_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


@dataclass(frozen=True)
class StorageInfo:
    """What to tell the user about where their key is kept."""

    secure: bool
    backend: str
    place: str

    @property
    def sentence(self) -> str:
        if self.secure:
            return f"Your key is stored in {self.place}."
        return (
            "No secure password store was found on this computer, so your key is kept in "
            "memory only and must be entered again next time."
        )


class KeyStore:
    """get / set / delete the API key; falls back to memory (with `secure=False`)."""

    def __init__(
        self, backend: keyring.backend.KeyringBackend | None = None, *, account: str = ACCOUNT
    ) -> None:
        """`account`: the secret's name in the keyring (the AffiliTest key by default; a
        network platform's key is named by its connection)."""
        self._chosen = backend
        self._memory: str | None = None
        self._account = account

    @property
    def _backend(self) -> keyring.backend.KeyringBackend:
        """Found at first use, not at start-up: keyring's discovery loads every backend."""
        if self._chosen is None:
            self._chosen = _keyring().get_keyring()
        return self._chosen

    @property
    def info(self) -> StorageInfo:
        backend = self._backend
        chained = getattr(backend, "backends", None)
        if chained:  # keyring's ChainerBackend: describe the store it tries first
            backend = chained[0]
        module = type(backend).__module__
        name = f"{module}.{type(backend).__name__}"
        secure = not module.startswith(_INSECURE_MODULES) and _priority(backend) > 0
        place = next((p for m, p in _PLACES_BY_MODULE.items() if module.startswith(m)), None)
        return StorageInfo(secure=secure, backend=name, place=place or f"the {name} keyring")

    def get(self) -> str | None:
        if self.info.secure:
            try:
                return self._backend.get_password(SERVICE, self._account)
            except _keyring().errors.KeyringError as error:
                log.warning("Could not read the key from the keyring: %s", type(error).__name__)
        return self._memory

    def set(self, key: str) -> StorageInfo:
        """Store the key; returns where it went (memory when no secure store works)."""
        info = self.info
        if info.secure:
            try:
                self._backend.set_password(SERVICE, self._account, key)
                self._memory = None
                return info
            except _keyring().errors.KeyringError as error:
                log.warning("Could not save the key to the keyring: %s", type(error).__name__)
                info = StorageInfo(secure=False, backend=info.backend, place="memory")
        self._memory = key
        return StorageInfo(secure=False, backend=info.backend, place="memory")

    def delete(self) -> None:
        self._memory = None
        if self.info.secure:
            try:
                self._backend.delete_password(SERVICE, self._account)
            except _keyring().errors.PasswordDeleteError:
                pass  # nothing stored: already gone
            except _keyring().errors.KeyringError as error:
                log.warning("Could not delete the key from the keyring: %s", type(error).__name__)


def _keyring() -> ModuleType:
    """The keyring package, loaded on first use (it takes a while, and the window need
    not wait for it)."""
    import keyring  # noqa: PLC0415
    import keyring.backends  # noqa: PLC0415
    import keyring.errors  # noqa: PLC0415

    return keyring


def _priority(backend: keyring.backend.KeyringBackend) -> float:
    try:
        return float(type(backend).priority)  # type: ignore[arg-type]
    except Exception:  # a backend whose priority probe fails is not usable
        return 0.0


def keyring_inventory() -> dict[str, object]:
    """What a (frozen) build holds of keyring: its backend modules and its metadata.

    Without its metadata keyring silently falls back to the fail backend, so the
    self-test reports both.
    """
    from importlib import metadata  # noqa: PLC0415 - for the self-test only, not at start-up

    try:
        entry_points = [ep.name for ep in metadata.entry_points(group="keyring.backends")]
        version = metadata.version("keyring")
    except metadata.PackageNotFoundError:
        entry_points, version = [], None
    return {
        "version": version,
        "metadata": version is not None,
        "backend_modules": sorted(
            module.name for module in pkgutil.iter_modules(_keyring().backends.__path__)
        ),
        "entry_points": sorted(entry_points),
    }


def keystore_for(account: str) -> KeyStore:
    """The store of one keyring entry (a network platform's key, an alert channel's
    secret), by its name."""
    return KeyStore(account=account)


KeyStoreFor = Callable[[str], KeyStore]  # a keyring entry's name -> its store


class KeptKeyStores:
    """One store per keyring entry, made once and kept: a secret held in memory (where
    no secure store works) lasts as long as this does. Called as a KeyStoreFor."""

    def __init__(self, make: KeyStoreFor = keystore_for) -> None:
        self._make = make
        self._stores: dict[str, KeyStore] = {}

    def __call__(self, account: str) -> KeyStore:
        if account not in self._stores:
            self._stores[account] = self._make(account)
        return self._stores[account]
