# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Encryption of credential passwords at rest (docs/architecture.md: "Database and encryption").

The key derivation is checked against an independent PBKDF2 computation from hashlib,
so a change of rounds, salt or hash would make every stored password unreadable and
fail here first: version 1 (0.1's bare tokens: 100,000 rounds, the static salt) must keep
opening, version 2 (``v2:``, 600,000 rounds, the install's random salt) is what seals.
Errors must name NETRAVEN_ENCRYPTION_KEY in one line and never carry a passphrase or a
plaintext.
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import (
    derive_fernet_key,
    secret_box,
)
from ansible_collections.netraven.netraven.plugins.module_utils._errors import EncryptionKeyError

try:
    from cryptography.fernet import Fernet, InvalidToken
except ImportError:  # pragma: no cover - requirements install it; the tests then fail loudly
    Fernet = InvalidToken = None

KEY_ENV = "NETRAVEN_ENCRYPTION_KEY"
SALT_ENV = "NETRAVEN_ENCRYPTION_SALT"
PLAINTEXT = "Sup3r-Secret-Passw0rd!"
INSTALL_SALT = bytes.fromhex("5ca1ab1e" * 4)  # one install's kdf_salt (a database's is random)


def db_box(key=None, salt=None, old_keys=None, install_salt=INSTALL_SALT):
    """The SecretBox of a database whose install salt is INSTALL_SALT."""
    return secret_box(key, salt=salt, old_keys=old_keys, install_salt=install_salt)


def independent_key(passphrase, salt="netraven_salt"):
    """The Fernet key of the documented version-1 derivation, computed without the collection's code."""
    raw = hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt.encode("utf-8"), 100000, 32)
    return base64.urlsafe_b64encode(raw)


def independent_v2_key(passphrase, install_salt=INSTALL_SALT):
    """The Fernet key of the documented version-2 derivation: 600,000 rounds, the install salt's bytes."""
    return base64.urlsafe_b64encode(hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), install_salt, 600000, 32))


def v1_token(passphrase, plaintext=PLAINTEXT, salt="netraven_salt"):
    return Fernet(independent_key(passphrase, salt)).encrypt(plaintext.encode("utf-8")).decode("ascii")


def assert_clean_one_line(error, *secrets):
    message = str(error)
    assert "\n" not in message
    assert KEY_ENV in message
    for secret in secrets:
        assert secret not in message
    # No chained exception carries the details (a traceback would show them).
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(SALT_ENV, raising=False)


@pytest.mark.parametrize("key", [None, "", " ", " , ,"])
def test_missing_key_is_one_line_naming_the_variable(monkeypatch, key):
    if key is not None:
        monkeypatch.setenv(KEY_ENV, key)
    with pytest.raises(EncryptionKeyError) as caught:
        db_box()
    assert_clean_one_line(caught.value)


def test_wrong_key_fails_in_one_line_without_key_or_plaintext():
    token = db_box("right-passphrase-1").encrypt(PLAINTEXT)
    with pytest.raises(EncryptionKeyError) as caught:
        db_box("wrong-passphrase-1").decrypt(token)
    assert_clean_one_line(caught.value, "right-passphrase-1", "wrong-passphrase-1", PLAINTEXT)
    assert not db_box("wrong-passphrase-1").can_decrypt(token)
    assert db_box("right-passphrase-1").can_decrypt(token)


def test_key_from_environment(monkeypatch):
    monkeypatch.setenv(KEY_ENV, "env-passphrase")
    token = db_box().encrypt(PLAINTEXT)
    assert db_box("env-passphrase").decrypt(token) == PLAINTEXT


@pytest.mark.parametrize("token", ["", "not-a-fernet-token", "gAAAAA" + "A" * 80, "pässwört"])
def test_garbage_token_is_a_key_error(token):
    with pytest.raises(EncryptionKeyError) as caught:
        db_box("garbage-passphrase").decrypt(token)
    assert_clean_one_line(caught.value, "garbage-passphrase")


def test_rotation_old_values_open_and_rotate_reseals_under_the_new_key():
    old_token = db_box("old-passphrase").encrypt(PLAINTEXT)
    rotating = db_box("new-passphrase", old_keys="old-passphrase\n")
    assert rotating.key_count == 2
    assert rotating.decrypt(old_token) == PLAINTEXT

    rotated = rotating.rotate(old_token)
    assert rotated != old_token
    assert not rotating.is_current(old_token) and rotating.is_current(rotated)
    assert db_box("new-passphrase").decrypt(rotated) == PLAINTEXT
    with pytest.raises(EncryptionKeyError):
        db_box("old-passphrase").decrypt(rotated)

    # The first passphrase encrypts: new values need the new key only.
    fresh = rotating.encrypt(PLAINTEXT)
    assert db_box("new-passphrase").decrypt(fresh) == PLAINTEXT
    assert not db_box("old-passphrase").can_decrypt(fresh)


def test_rotate_a_token_no_key_opens_fails_cleanly():
    token = db_box("lost-passphrase").encrypt(PLAINTEXT)
    with pytest.raises(EncryptionKeyError) as caught:
        db_box("new-passphrase", old_keys="other-passphrase").rotate(token)
    assert_clean_one_line(caught.value, "lost-passphrase", "new-passphrase", "other-passphrase", PLAINTEXT)


@pytest.mark.parametrize("plaintext", [PLAINTEXT, "cisco123", "admin!", "x" * 64, "pässwört-ünïcode"])
def test_ciphertext_never_contains_the_plaintext(plaintext):
    box = db_box("ciphertext-passphrase")
    token = box.encrypt(plaintext)
    encoded = plaintext.encode("utf-8")
    assert plaintext not in token
    # Nor any base64 rendering of it, at any of the three alignments (only the characters
    # that encode plaintext bits alone, as the neighbours depend on the surrounding bytes).
    for prefix in (b"", b"x", b"xy"):
        start = -(-len(prefix) * 8 // 6)
        end = (len(prefix) + len(encoded)) * 8 // 6
        for codec in (base64.b64encode, base64.urlsafe_b64encode):
            rendered = codec(prefix + encoded).decode("ascii")[start:end]
            if len(rendered) >= 4:
                assert rendered not in token
    # Nor in the raw token bytes.
    assert token.startswith("v2:") and encoded not in base64.urlsafe_b64decode(token[3:])
    # A random IV: the same password never gives the same ciphertext twice.
    assert box.encrypt(plaintext) != token
    assert box.decrypt(token) == plaintext


def test_pbkdf2_parameters_match_the_design():
    passphrase = "design-passphrase"
    key = independent_key(passphrase)
    assert derive_fernet_key(passphrase, "netraven_salt") == key
    box = db_box(passphrase)
    # New values: "v2:" + a Fernet token under 600,000 rounds and the install salt.
    sealed = box.encrypt(PLAINTEXT)
    assert sealed.startswith("v2:gAAAAA")
    assert Fernet(independent_v2_key(passphrase)).decrypt(sealed[3:].encode("ascii")).decode("utf-8") == PLAINTEXT
    with pytest.raises(InvalidToken):
        Fernet(key).decrypt(sealed[3:].encode("ascii"))
    # Version 1 (0.1's bare tokens) still opens.
    assert box.decrypt(Fernet(key).encrypt(PLAINTEXT.encode("utf-8")).decode("ascii")) == PLAINTEXT


def test_salt_override_from_environment(monkeypatch):
    """NETRAVEN_ENCRYPTION_SALT is version 1's static salt: it opens 0.1's values and seals nothing."""
    monkeypatch.setenv(SALT_ENV, "site-specific-salt")
    token = v1_token("salted-passphrase", salt="site-specific-salt")
    assert db_box("salted-passphrase").decrypt(token) == PLAINTEXT
    with pytest.raises(InvalidToken):
        Fernet(independent_key("salted-passphrase")).decrypt(token.encode("ascii"))
    sealed = db_box("salted-passphrase").encrypt(PLAINTEXT)
    # Back on the default salt, that token no longer opens; the version-2 value does.
    monkeypatch.delenv(SALT_ENV)
    assert not db_box("salted-passphrase").can_decrypt(token)
    assert db_box("salted-passphrase").decrypt(sealed) == PLAINTEXT


def test_derived_ciphers_are_cached_per_process():
    assert db_box("cached-passphrase") is db_box("cached-passphrase")
    assert db_box("cached-passphrase") is not db_box("cached-passphrase", salt="other-salt")
