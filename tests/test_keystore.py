"""The key lives in the OS keyring, or in memory with a warning: never in a file."""

from __future__ import annotations

import keyring.backends.fail

from affilitest_gui.keystore import ACCOUNT, SERVICE, KeyStore


def test_a_secure_keyring_stores_the_key(memory_keyring):
    store = KeyStore()
    info = store.set("k" * 64)
    assert info.secure
    assert memory_keyring.secrets[(SERVICE, ACCOUNT)] == "k" * 64
    assert KeyStore().get() == "k" * 64
    store.delete()
    assert KeyStore().get() is None
    store.delete()  # deleting twice is harmless


def test_without_a_secure_keyring_the_key_stays_in_memory_and_says_so(tmp_path):
    store = KeyStore(keyring.backends.fail.Keyring())
    info = store.set("k" * 64)
    assert not info.secure
    assert "memory" in info.sentence
    assert store.get() == "k" * 64
    assert KeyStore(keyring.backends.fail.Keyring()).get() is None  # gone with the process
    assert not any(tmp_path.rglob("*"))  # nothing written anywhere


def test_the_storage_sentence_names_the_place(memory_keyring):
    info = KeyStore().info
    assert info.secure
    assert info.sentence.startswith("Your key is stored in")
