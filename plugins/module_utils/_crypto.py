# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Encryption of credential passwords at rest (docs/architecture.md: "Database and encryption").

The key is one passphrase in NETRAVEN_ENCRYPTION_KEY, used exactly as given (a comma
or a space is part of it), stretched with PBKDF2-SHA256 (100,000 rounds, salt
NETRAVEN_ENCRYPTION_SALT, default ``netraven_salt``) into a Fernet key. Older
passphrases, one per line, come from NETRAVEN_ENCRYPTION_OLD_KEYS: they only open
values, so values sealed with an old key still open after a rotation (README, "Rotating
the encryption key"). Earlier releases split the key on commas; a key that still holds
a comma, does not open a value, and whose comma-separated parts would, is named with
the fix instead of a bare "cannot decrypt".

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
OLD_KEYS_ENV = "NETRAVEN_ENCRYPTION_OLD_KEYS"
MIN_PASSPHRASE_LENGTH = 12
SALT_ENV = "NETRAVEN_ENCRYPTION_SALT"
DEFAULT_SALT = "netraven_salt"
PBKDF2_ROUNDS = 100000

_CACHE = {}
_CACHE_LOCK = threading.Lock()


def derive_fernet_key(passphrase: str, salt: str) -> bytes:
    """The urlsafe-base64 Fernet key PBKDF2-SHA256 derives from a passphrase."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt.encode("utf-8"), iterations=PBKDF2_ROUNDS)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8")))


def _comma_hint() -> str:
    return ("%s contains a comma and does not open the stored values, but its comma-separated parts do: "
            "keys are no longer comma-separated; put the current passphrase alone in %s and the older "
            "ones in %s, one per line" % (KEY_ENV, KEY_ENV, OLD_KEYS_ENV))


def split_old_keys(text: str | None) -> list:
    """The older passphrases of NETRAVEN_ENCRYPTION_OLD_KEYS: one per line, empty lines ignored."""
    return [line for line in (text or "").splitlines() if line]


class SecretBox:
    """Seals with the current passphrase and opens with it or any older one."""

    def __init__(self, passphrase: str, old_passphrases=(), salt: str = DEFAULT_SALT):
        if not HAS_CRYPTOGRAPHY:
            raise MissingLibraryError("The Python library 'cryptography' is required on the controller to handle credentials")
        if not passphrase:
            raise EncryptionKeyError("%s is not set: it must hold the passphrase that encrypts NetRaven credentials" % KEY_ENV)
        if len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise EncryptionKeyError("%s is shorter than %d characters: choose a longer passphrase" % (
                KEY_ENV, MIN_PASSPHRASE_LENGTH))
        self._passphrase = passphrase
        self._salt = salt
        phrases = [passphrase] + [p for p in old_passphrases if p and p != passphrase]
        self.key_count = len(phrases)
        fernets = [Fernet(derive_fernet_key(p, salt)) for p in phrases]
        self._current = fernets[0]
        self._fernet = MultiFernet(fernets)
        # Masked secrets in stored configurations carry an HMAC under this key (docs/platforms.md):
        # equal secrets on two installs get different markers, and no dictionary reverses them.
        self._marker_key = hashlib.sha256(b"netraven-secret-marker\0" + phrases[0].encode("utf-8")).digest()
        self._legacy = None

    def marker_key(self) -> bytes:
        """The key of the secret markers, derived from the current encryption passphrase."""
        return self._marker_key

    def opened_by_comma_parts(self, token: str) -> bool:
        """True when the comma-split parts of a key holding a comma open the token (the old rotation syntax)."""
        if "," not in self._passphrase:
            return False
        if self._legacy is None:
            parts = [p.strip() for p in self._passphrase.split(",") if p.strip()]
            self._legacy = MultiFernet([Fernet(derive_fernet_key(p, self._salt)) for p in parts])
        try:
            self._legacy.decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError, TypeError, UnicodeError):
            return False
        return True

    def cannot_open_error(self, token: str | None = None) -> EncryptionKeyError:
        """The one-line error for a value no configured key opens, with the comma migration hint when it applies."""
        if token is not None and self.opened_by_comma_parts(token):
            return EncryptionKeyError(_comma_hint())
        return EncryptionKeyError(
            "%s cannot decrypt a stored credential: the key is wrong or was rotated out "
            "(put the old passphrase in %s)" % (KEY_ENV, OLD_KEYS_ENV))

    def encrypt(self, plaintext: str) -> str:
        """Ciphertext (Fernet token text) for a password."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The password a token seals; a token no configured key opens is an EncryptionKeyError."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError, TypeError, UnicodeError):
            raise self.cannot_open_error(token) from None

    def can_decrypt(self, token: str) -> bool:
        """True when a configured key opens the token."""
        try:
            self._fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError, TypeError, UnicodeError):
            return False
        return True

    def is_current(self, token: str) -> bool:
        """True when the current key alone opens the token: re-sealing it would change nothing."""
        try:
            self._current.decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError, TypeError, UnicodeError):
            return False
        return True

    def rotate(self, token: str) -> str:
        """Re-seal a token under the current key."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError, TypeError):
            raise self.cannot_open_error(token) from None


def secret_box(key: str | None = None, salt: str | None = None, old_keys: str | None = None) -> SecretBox:
    """The SecretBox for an explicit key or NETRAVEN_ENCRYPTION_KEY, plus NETRAVEN_ENCRYPTION_OLD_KEYS; cached per process."""
    raw_key = key if key is not None else os.environ.get(KEY_ENV, "")
    if old_keys is None:
        old_keys = os.environ.get(OLD_KEYS_ENV, "")
    raw_salt = salt if salt is not None else (os.environ.get(SALT_ENV) or DEFAULT_SALT)
    cache_key = (raw_key, old_keys, raw_salt)
    with _CACHE_LOCK:
        box = _CACHE.get(cache_key)
        if box is None:
            box = SecretBox(raw_key, split_old_keys(old_keys), raw_salt)
            _CACHE[cache_key] = box
    return box
