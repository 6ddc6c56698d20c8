# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Encryption of credential passwords at rest (docs/architecture.md: "Database and encryption").

The key is a passphrase in NETRAVEN_ENCRYPTION_KEY, stretched with PBKDF2-SHA256
(100,000 rounds, salt NETRAVEN_ENCRYPTION_SALT, default ``netraven_salt``) into a
Fernet key. Several comma-separated passphrases rotate keys: the first encrypts,
all of them decrypt, so values sealed with an old key still open after rotation.

Stretching costs tens of milliseconds per passphrase, so derived ciphers are cached
per process and per (passphrases, salt); the backup action warms the cache in the
controller before Ansible forks its workers.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import traceback

from ansible_collections.netraven.netraven.plugins.module_utils._errors import (
    EncryptionKeyError,
    MissingLibraryError,
)

try:
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError:
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()

KEY_ENV = "NETRAVEN_ENCRYPTION_KEY"
SALT_ENV = "NETRAVEN_ENCRYPTION_SALT"
DEFAULT_SALT = "netraven_salt"
PBKDF2_ROUNDS = 100000

_CACHE = {}
_CACHE_LOCK = threading.Lock()


def derive_fernet_key(passphrase: str, salt: str) -> bytes:
    """The urlsafe-base64 Fernet key PBKDF2-SHA256 derives from a passphrase."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt.encode("utf-8"), iterations=PBKDF2_ROUNDS)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8")))


class SecretBox:
    """Seals and opens credential passwords with the configured passphrases."""

    def __init__(self, passphrases, salt=DEFAULT_SALT):
        if not HAS_CRYPTOGRAPHY:
            raise MissingLibraryError("The Python library 'cryptography' is required on the controller to handle credentials")
        phrases = [p.strip() for p in passphrases if p and p.strip()]
        if not phrases:
            raise EncryptionKeyError("%s is not set: it must hold the passphrase that encrypts NetRaven credentials" % KEY_ENV)
        self.key_count = len(phrases)
        fernets = [Fernet(derive_fernet_key(p, salt)) for p in phrases]
        self._current = fernets[0]
        self._fernet = MultiFernet(fernets)
        # Masked secrets in stored configurations carry an HMAC under this key (docs/platforms.md):
        # equal secrets on two installs get different markers, and no dictionary reverses them.
        self._marker_key = hashlib.sha256(b"netraven-secret-marker\0" + phrases[0].encode("utf-8")).digest()

    def marker_key(self) -> bytes:
        """The key of the secret markers, derived from the current encryption passphrase."""
        return self._marker_key

    def encrypt(self, plaintext: str) -> str:
        """Ciphertext (Fernet token text) for a password."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The password a token seals; a token no configured key opens is an EncryptionKeyError."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError, TypeError, UnicodeError):
            raise EncryptionKeyError(
                "%s cannot decrypt a stored credential: the key is wrong or was rotated out "
                "(list the old passphrase after the new one, comma-separated)" % KEY_ENV) from None

    def can_decrypt(self, token: str) -> bool:
        """True when a configured key opens the token."""
        try:
            self.decrypt(token)
        except EncryptionKeyError:
            return False
        return True

    def is_current(self, token: str) -> bool:
        """True when the first (current) key alone opens the token: rotating it would change nothing."""
        try:
            self._current.decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError, TypeError, UnicodeError):
            return False
        return True

    def rotate(self, token: str) -> str:
        """Re-seal a token under the first (current) key."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError, TypeError):
            raise EncryptionKeyError("%s cannot decrypt a stored credential to rotate it" % KEY_ENV) from None


def secret_box(key: str | None = None, salt: str | None = None) -> SecretBox:
    """The SecretBox for an explicit key or NETRAVEN_ENCRYPTION_KEY, cached per process."""
    raw_key = key if key is not None else os.environ.get(KEY_ENV, "")
    raw_salt = salt if salt is not None else (os.environ.get(SALT_ENV) or DEFAULT_SALT)
    cache_key = (raw_key, raw_salt)
    with _CACHE_LOCK:
        box = _CACHE.get(cache_key)
        if box is None:
            box = SecretBox(raw_key.split(","), raw_salt)
            _CACHE[cache_key] = box
    return box
