# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Encryption of credential passwords at rest (docs/architecture.md: "Database and encryption").

The key is one passphrase in NETRAVEN_ENCRYPTION_KEY, used exactly as given (a comma
or a space is part of it). Older passphrases, one per line, come from
NETRAVEN_ENCRYPTION_OLD_KEYS: they only open values, so values sealed with an old key
still open after a rotation (README, "Rotating the key"). Earlier releases
split the key on commas; a key that still holds a comma, does not open a value, and
whose comma-separated parts would, is named with the fix instead of a bare "cannot decrypt".

Every sealed value says how it was sealed (docs/hardening.md, "Key derivation"):

- version 2, ``v2:`` + a Fernet token: the key is PBKDF2-SHA256 at 600,000 rounds of the
  passphrase, salted with the random per-install salt of the database (install_secrets
  row 'kdf_salt', migration 0005). Every new value is sealed this way.
- version 1, a bare Fernet token (``gAAAAA...``), as 0.1 wrote it: PBKDF2-SHA256 at 100,000
  rounds with the static salt NETRAVEN_ENCRYPTION_SALT (default ``netraven_salt``), the
  same for every install. Such values still open; the rekey module re-seals them at v2.

Why PBKDF2 and not scrypt: 600,000 rounds is OWASP's current figure for PBKDF2-SHA256; it
is FIPS-approved, where scrypt is refused by FIPS builds of OpenSSL (and so by
cryptography on such a controller or execution environment); it costs CPU only, where
scrypt at a comparable strength wants 64-128 MiB per derivation, in a controller that
forks tens of workers under an AWX container limit; and version 1 already uses it, so one
primitive serves both. The per-install salt makes a precomputed guess list useless across
installs; the passphrase's own length (at least 12 characters) does the rest.

The install records which passphrase is its key: a check value in install_secrets (row
'key_check', never the key), compared by secret_box_for before any value is opened or sealed,
so a mistyped NETRAVEN_ENCRYPTION_KEY is refused in one line instead of silently adopted
(_key_check; docs/hardening.md, "The install's key"). Only the rekey module adopts a new key.

Stretching costs a fraction of a second per passphrase (docs/hardening.md has the
figures), so derived keys are cached per process and per (version, passphrase, salt),
derived lazily (a database with no version-1 value never derives its key), and the salt
is read once per process and database URL. The backup action derives everything in the
controller before Ansible forks its workers (_backup._prefork.warm_default_database).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading
import traceback
from typing import TYPE_CHECKING, Iterable, Iterator, Union

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import describe_engine, read_scope
from ansible_collections.netraven.netraven.plugins.module_utils._errors import (
    EncryptionKeyError,
    MissingLibraryError,
    SchemaNotReadyError,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Credential, InstallSecret
from ansible_collections.netraven.netraven.plugins.module_utils._key_check import verify_key

try:
    from cryptography.fernet import Fernet, InvalidToken
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError:
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Engine

# A key-derivation salt: version 1's is text (NETRAVEN_ENCRYPTION_SALT), version 2's the database's bytes.
Salt = Union[str, bytes]

KEY_ENV = "NETRAVEN_ENCRYPTION_KEY"
OLD_KEYS_ENV = "NETRAVEN_ENCRYPTION_OLD_KEYS"
MIN_PASSPHRASE_LENGTH = 12
SALT_ENV = "NETRAVEN_ENCRYPTION_SALT"
DEFAULT_SALT = "netraven_salt"
PBKDF2_ROUNDS = 100000  # version 1 (kept: the values 0.1 wrote must keep opening)
CURRENT_VERSION = 2
V2_PREFIX = "v2:"
V2_ROUNDS = 600000
INSTALL_SALT_NAME = "kdf_salt"
MIN_INSTALL_SALT_BYTES = 16
ROUNDS = {1: PBKDF2_ROUNDS, 2: V2_ROUNDS}

_VERSION_PREFIX = re.compile(r"^v(\d{1,9}):")
_SEALING_ERRORS = (InvalidToken, ValueError, TypeError, UnicodeError) if HAS_CRYPTOGRAPHY else (ValueError,)

_CACHE: dict[tuple[str, str, str, bytes | None], SecretBox] = {}
_DERIVED: dict[tuple[int, str, Salt], bytes] = {}
_SALTS: dict[str, bytes] = {}
_CACHE_LOCK = threading.Lock()


def derive_fernet_key(passphrase: str, salt: Salt, rounds: int = PBKDF2_ROUNDS) -> bytes:
    """The urlsafe-base64 Fernet key PBKDF2-SHA256 derives from a passphrase (salt: text or bytes)."""
    salt_bytes = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt_bytes, iterations=rounds)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8")))


def _derived_key(version: int, passphrase: str, salt: Salt) -> bytes:
    """The Fernet key of one (version, passphrase, salt), stretched once per process."""
    cache_key = (version, passphrase, salt)
    with _CACHE_LOCK:
        key = _DERIVED.get(cache_key)
    if key is None:
        key = derive_fernet_key(passphrase, salt, ROUNDS[version])
        with _CACHE_LOCK:
            key = _DERIVED.setdefault(cache_key, key)
    return key


def _fernet(version: int, passphrase: str, salt: Salt) -> Fernet:
    """The cipher of one (version, passphrase, salt); the stretching is cached, the cipher object is cheap."""
    return Fernet(_derived_key(version, passphrase, salt))


def token_version(token: object) -> int:
    """The format version a stored value names: its ``vN:`` prefix, else 1 (a bare Fernet token)."""
    match = _VERSION_PREFIX.match(token) if isinstance(token, str) else None
    return int(match.group(1)) if match else 1


def _comma_hint() -> str:
    return ("%s contains a comma and does not open the stored values, but its comma-separated parts do: "
            "keys are no longer comma-separated; put the current passphrase alone in %s and the older "
            "ones in %s, one per line" % (KEY_ENV, KEY_ENV, OLD_KEYS_ENV))


def split_old_keys(text: str | None) -> list[str]:
    """The older passphrases of NETRAVEN_ENCRYPTION_OLD_KEYS: one per line, empty lines ignored."""
    return [line for line in (text or "").splitlines() if line]


class SecretBox:
    """Seals with the current passphrase at the current version; opens any version with it or an older one.

    install_salt (bytes) is the database's 'kdf_salt'; without it (a box built for no
    database) the box still opens version-1 values but refuses to seal.
    """

    def __init__(self, passphrase: str, old_passphrases: Iterable[str] = (), salt: str = DEFAULT_SALT,
                 install_salt: bytes | None = None) -> None:
        if not HAS_CRYPTOGRAPHY:
            raise MissingLibraryError("The Python library 'cryptography' is required on the controller to handle credentials")
        if not passphrase:
            raise EncryptionKeyError("%s is not set: it must hold the passphrase that encrypts NetRaven credentials" % KEY_ENV)
        if len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise EncryptionKeyError("%s is shorter than %d characters: choose a longer passphrase" % (
                KEY_ENV, MIN_PASSPHRASE_LENGTH))
        self._passphrase = passphrase
        self._salt = salt
        self._install_salt = install_salt
        self._phrases = [passphrase] + [p for p in dict.fromkeys(old_passphrases) if p and p != passphrase]
        self.key_count = len(self._phrases)
        self._legacy: list[str] | None = None

    def _ciphers(self, version: int, current_only: bool = False) -> Iterator[Fernet]:
        """The ciphers that may open a value of this version, current passphrase first; derived on demand."""
        phrases = self._phrases[:1] if current_only else self._phrases
        if version == 1:
            return (_fernet(1, p, self._salt) for p in phrases)
        if version == CURRENT_VERSION and self._install_salt is not None:
            return (_fernet(2, p, self._install_salt) for p in phrases)
        return iter(())

    def warm(self, legacy: bool = True) -> None:
        """Derive every key this box may need now (the backup action calls it before Ansible forks)."""
        for version in ((CURRENT_VERSION, 1) if legacy else (CURRENT_VERSION,)):
            for _cipher in self._ciphers(version):
                pass

    def marker_key(self) -> bytes:
        """The key of the secret markers in stored configurations (docs/platforms.md, docs/hardening.md).

        An HMAC of the current passphrase's version-2 key, which the install's salt and the
        600,000 rounds stretch: equal secrets on two installs get different markers, no
        dictionary reverses them, and a known masked value (a default SNMP community) gives
        no shortcut to testing passphrase guesses. It changes with the passphrase, as a
        rotation already changes every marker.
        """
        if self._install_salt is None:
            raise EncryptionKeyError("Cannot key the secret markers without the database's key-derivation salt: "
                                     "build the SecretBox with secret_box_for(engine)")
        stretched = _derived_key(CURRENT_VERSION, self._passphrase, self._install_salt)
        return hmac.new(stretched, b"netraven-secret-marker", hashlib.sha256).digest()

    def comma_parts(self) -> list[str]:
        """The comma-separated parts of a current passphrase holding a comma (the old rotation syntax), else []."""
        if "," not in self._passphrase:
            return []
        if self._legacy is None:
            self._legacy = [p.strip() for p in self._passphrase.split(",") if p.strip()]
        return list(self._legacy)

    def opened_by_comma_parts(self, token: str) -> bool:
        """True when the comma-split parts of a key holding a comma open the token (the old rotation syntax)."""
        version = token_version(token)
        if not isinstance(token, str) or version not in (1, CURRENT_VERSION):
            return False
        salt = self._salt if version == 1 else self._install_salt
        if salt is None:
            return False
        body = token[len(V2_PREFIX):] if version == CURRENT_VERSION else token
        for part in self.comma_parts():
            try:
                _fernet(version, part, salt).decrypt(body.encode("ascii"))
            except _SEALING_ERRORS:
                continue
            return True
        return False

    def comma_error(self) -> EncryptionKeyError:
        """The one-line error for a NETRAVEN_ENCRYPTION_KEY that still lists the old keys after commas."""
        return EncryptionKeyError(_comma_hint())

    @property
    def passphrase(self) -> str:
        """The current passphrase (the process's own key cache and the key check are keyed by it)."""
        return self._passphrase

    @property
    def old_passphrases(self) -> list[str]:
        """The older passphrases, which only open values."""
        return self._phrases[1:]

    def check_value(self, passphrase: str | None = None) -> str:
        """The install's record of a passphrase (default: the current one): ``v2:`` + an HMAC, never the key.

        An HMAC-SHA256 under the passphrase's version-2 key (the install's salt, 600,000 rounds), so
        the record says nothing about the passphrase but what a full stretching of each guess
        tells, and differs from the secret markers' key (another message).
        """
        if self._install_salt is None:
            raise EncryptionKeyError("Cannot check the key without the database's key-derivation salt: "
                                     "build the SecretBox with secret_box_for(engine)")
        stretched = _derived_key(CURRENT_VERSION, passphrase or self._passphrase, self._install_salt)
        return V2_PREFIX + hmac.new(stretched, b"netraven-key-check", hashlib.sha256).hexdigest()

    def opens_with_current(self, token: object) -> bool:
        """True when the current passphrase alone opens the token (at its own version)."""
        return self._open(token, current_only=True) is not None

    def cannot_open_error(self, token: str | None = None) -> EncryptionKeyError:
        """The one-line error for a value no configured key opens, with the comma migration hint when it applies."""
        if token is not None:
            version = token_version(token)
            if version > CURRENT_VERSION:
                return EncryptionKeyError(
                    "A stored value is sealed at format version %d, which this collection (version %d) cannot open: "
                    "upgrade netraven.netraven" % (version, CURRENT_VERSION))
            if version == CURRENT_VERSION and self._install_salt is None:
                return EncryptionKeyError(
                    "A stored value is sealed at format version %d and no database salt was given: "
                    "open it through the database's SecretBox (secret_box_for)" % version)
            if self.opened_by_comma_parts(token):
                return EncryptionKeyError(_comma_hint())
        return EncryptionKeyError(
            "%s cannot decrypt a stored credential: the key is wrong or was rotated out "
            "(put the old passphrase in %s)" % (KEY_ENV, OLD_KEYS_ENV))

    def encrypt(self, plaintext: str) -> str:
        """The sealed text of a value: ``v2:`` + a Fernet token under the current passphrase."""
        if self._install_salt is None:
            raise EncryptionKeyError("Cannot seal a value without the database's key-derivation salt: "
                                     "build the SecretBox with secret_box_for(engine)")
        cipher = _fernet(CURRENT_VERSION, self._passphrase, self._install_salt)
        return V2_PREFIX + cipher.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def _open(self, token: object, current_only: bool = False) -> bytes | None:
        """The plaintext bytes, or None when no configured key of the token's version opens it."""
        if not isinstance(token, str):
            return None
        version = token_version(token)
        body = token[len(V2_PREFIX):] if version == CURRENT_VERSION else token
        try:
            raw = body.encode("ascii")
        except UnicodeError:
            return None
        for cipher in self._ciphers(version, current_only):
            try:
                return cipher.decrypt(raw)
            except _SEALING_ERRORS:
                continue
        return None

    def decrypt(self, token: str) -> str:
        """The password a token seals; a token no configured key opens is an EncryptionKeyError."""
        raw = self._open(token)
        if raw is None:
            raise self.cannot_open_error(token if isinstance(token, str) else None)
        try:
            return raw.decode("utf-8")
        except UnicodeError:
            raise self.cannot_open_error() from None

    def can_decrypt(self, token: str | None) -> bool:
        """True when a configured key opens the token."""
        return self._open(token) is not None

    def is_current(self, token: str | None) -> bool:
        """True when the token is at the current version and the current key opens it: re-sealing would change nothing."""
        return token_version(token) == CURRENT_VERSION and self._open(token, current_only=True) is not None

    def rotate(self, token: str) -> str:
        """Re-seal a token under the current key and version (a version-1 value comes out ``v2:``)."""
        return self.encrypt(self.decrypt(token))


def secret_box(key: str | None = None, salt: str | None = None, old_keys: str | None = None,
               install_salt: bytes | None = None) -> SecretBox:
    """The SecretBox for an explicit key or NETRAVEN_ENCRYPTION_KEY, plus NETRAVEN_ENCRYPTION_OLD_KEYS; cached per process.

    install_salt is the database's salt (install_salt(engine)); secret_box_for(engine) is the
    one way the collection's code builds a box that seals.
    """
    raw_key = key if key is not None else os.environ.get(KEY_ENV, "")
    if old_keys is None:
        old_keys = os.environ.get(OLD_KEYS_ENV, "")
    raw_salt = salt if salt is not None else (os.environ.get(SALT_ENV) or DEFAULT_SALT)
    cache_key = (raw_key, old_keys, raw_salt, install_salt)
    with _CACHE_LOCK:
        box = _CACHE.get(cache_key)
    if box is None:
        box = SecretBox(raw_key, split_old_keys(old_keys), raw_salt, install_salt)
        with _CACHE_LOCK:
            box = _CACHE.setdefault(cache_key, box)
    return box


def parse_install_salt(value: object, where: str) -> bytes:
    """The salt bytes of an install_secrets 'kdf_salt' value (hex); anything else is one line naming the row."""
    try:
        salt = bytes.fromhex(str(value or "").strip())
    except ValueError:
        salt = b""
    if len(salt) < MIN_INSTALL_SALT_BYTES:
        raise SchemaNotReadyError(
            "Database %s holds no usable key-derivation salt (table install_secrets, row '%s': %d or more "
            "random bytes in hex, written by migration 0005_install_secrets): restore that row from a backup "
            "of this database; values sealed since that migration do not open without it" % (
                where, INSTALL_SALT_NAME, MIN_INSTALL_SALT_BYTES))
    return salt


def install_salt(engine: Engine) -> bytes:
    """The database's random key-derivation salt, read once per process and database URL.

    The salt never changes in a database's life (migration 0005 writes it once; a copy of
    the database is the same install and keeps it), so a cached value stays right, and a
    forked worker inherits the parent's without a query.
    """
    url = engine.url.render_as_string(hide_password=False)
    with _CACHE_LOCK:
        salt = _SALTS.get(url)
    if salt is None:
        with read_scope(engine) as connection:
            value = connection.execute(sa.select(InstallSecret.value).where(InstallSecret.name == INSTALL_SALT_NAME)).scalar()
        salt = parse_install_salt(value, describe_engine(engine))
        with _CACHE_LOCK:
            salt = _SALTS.setdefault(url, salt)
    return salt


def secret_box_for(engine: Engine, key: str | None = None, old_keys: str | None = None, adopting: bool = False) -> SecretBox:
    """The SecretBox of a database: its salt, plus the key (explicit, else NETRAVEN_ENCRYPTION_KEY) and the old keys.

    The key must be the one the install records (_key_check.verify_key: one line otherwise,
    before anything opens or seals). adopting=True is the rekey module's alone: it is the one
    explicit way to make a new key the install's, and checks what it adopts itself.
    """
    box = secret_box(key or None, old_keys=old_keys, install_salt=install_salt(engine))
    if not adopting:
        verify_key(engine, box)
    return box


def has_older_values(engine: Engine) -> bool:
    """True when some stored credential password is not at the current version (the backup opens only those)."""
    with read_scope(engine) as connection:
        older = sa.select(Credential.id).where(~Credential.password.like(V2_PREFIX + "%")).limit(1)
        return connection.execute(older).first() is not None
