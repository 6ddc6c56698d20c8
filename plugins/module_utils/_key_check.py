# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The install's key is recorded, and a key that does not match it is refused (docs/hardening.md, "The install's key").

Values open with the current passphrase or any older one (NETRAVEN_ENCRYPTION_OLD_KEYS), and
new ones are sealed with the current one. Without a record of which passphrase is the
install's, a typo in NETRAVEN_ENCRYPTION_KEY with the right passphrase among the old keys
went unnoticed: everything opened, new values were sealed under the typo, every marker of a
masked secret changed, and a rekey then re-sealed everything under it. Likewise a
``new,old`` value left from the old comma syntax was caught where a value was opened, not
where a credential was written.

So install_secrets holds a check value of the current key (row ``key_check``: an HMAC under
its stretched key, SecretBox.check_value; never the key). Every SecretBox the collection
builds for a database (_crypto.secret_box_for) is checked against it before anything opens or
seals: a key that does not match is refused in one line, which names the likely cause (the
record's passphrase is among the old keys: a rotation waiting for its rekey; a key still
listing old keys after commas; else a typo or another install's key). Only the rekey module
adopts a new key: it re-seals every value with the configured keys and records the new check
(adopt_key), and it refuses to when the recorded key is neither the current one nor an old one.

An install from before this check has no record. The first use records one, but only of a
key that proves itself: the current passphrase alone opens a stored value (a credential
password, else a sealed original), or nothing is sealed yet. A key that opens nothing while
an old key does is refused as above, not recorded. The record is written inside the
transaction of the first credential write or job start that uses the box (record_key_check),
never on a connection of its own: that may run inside such a transaction, which on SQLite
holds the only write lock.

Checks are cached per process, database URL and passphrase, so a backup's forked workers
inherit the controller's (it checks before the fork) and query nothing.
"""

from __future__ import annotations

import hmac
import threading
from typing import TYPE_CHECKING, Dict, List, Optional, Protocol, Tuple, Union, cast

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import describe_engine, read_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    CREDENTIAL_SECRET_COLUMNS,
    HAS_SQLALCHEMY,
    Credential,
    DeviceConfiguration,
    InstallSecret,
)
from ansible_collections.netraven.netraven.plugins.module_utils._errors import EncryptionKeyError

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
    from sqlalchemy import exc as sa_exc
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

KEY_CHECK_NAME = "key_check"
# How many stored values the first use tries, newest first, to prove a key without a record.
PROOF_SAMPLE = 200

_VERIFIED: Dict[Tuple[str, str], bool] = {}  # (url, passphrase) -> True
_PENDING: Dict[Tuple[str, str], str] = {}  # (url, passphrase) -> check value to record
_LOCK = threading.Lock()


class KeyCheckBox(Protocol):
    """What the key check asks of _crypto.SecretBox (named here, not imported: _crypto imports this module)."""

    @property
    def passphrase(self) -> str: ...

    @property
    def old_passphrases(self) -> List[str]: ...

    def check_value(self, passphrase: Optional[str] = None) -> str: ...

    def comma_parts(self) -> List[str]: ...

    def comma_error(self) -> EncryptionKeyError: ...

    def opens_with_current(self, token: object) -> bool: ...

    def opened_by_comma_parts(self, token: str) -> bool: ...

    def can_decrypt(self, token: Optional[str]) -> bool: ...

    def cannot_open_error(self, token: Optional[str] = None) -> EncryptionKeyError: ...


def _url(engine_or_session: Union[Engine, Session]) -> str:
    # The collection binds its sessions to an engine (session_scope), never to a connection.
    bind = cast("Engine", engine_or_session.get_bind() if hasattr(engine_or_session, "get_bind") else engine_or_session)
    return bind.url.render_as_string(hide_password=False)


def _recorded(connection: Union[Connection, Session]) -> Optional[str]:
    return connection.execute(sa.select(InstallSecret.value).where(InstallSecret.name == KEY_CHECK_NAME)).scalar()


def _matches(box: KeyCheckBox, recorded: str, passphrase: Optional[str] = None) -> bool:
    return hmac.compare_digest(str(recorded).strip(), box.check_value(passphrase))


def mismatch_error(box: KeyCheckBox, recorded: str, where: str) -> EncryptionKeyError:
    """The one line for a key that is not the recorded one, naming the likely cause and the fix."""
    if any(_matches(box, recorded, old) for old in box.old_passphrases):
        return EncryptionKeyError(
            "NETRAVEN_ENCRYPTION_KEY is not the key this install records (database %s, install_secrets row '%s'); "
            "NETRAVEN_ENCRYPTION_OLD_KEYS holds it: run netraven.netraven.rekey to adopt the new key (it re-seals every "
            "value and records it), or put the recorded key back; nothing is opened or sealed until then" % (
                where, KEY_CHECK_NAME))
    if any(_matches(box, recorded, part) for part in box.comma_parts()):
        return box.comma_error()
    return EncryptionKeyError(
        "NETRAVEN_ENCRYPTION_KEY does not match the key this install records (database %s, install_secrets row '%s'): "
        "it is mistyped or another install's; nothing is opened or sealed with it. Only netraven.netraven.rekey adopts "
        "a new key, with the recorded one in NETRAVEN_ENCRYPTION_OLD_KEYS" % (where, KEY_CHECK_NAME))


def _sample(connection: Connection) -> List[str]:
    """Some stored sealed values, newest first: a sealed secret of each credential (a key-only one has no password), else sealed originals."""
    sealed = sa.func.coalesce(*(getattr(Credential, column) for column in CREDENTIAL_SECRET_COLUMNS))
    tokens = list(connection.execute(sa.select(sealed).where(sealed.isnot(None)).order_by(Credential.id.desc())
                                     .limit(PROOF_SAMPLE)).scalars())
    if not tokens:
        tokens = list(connection.execute(
            sa.select(DeviceConfiguration.original).where(DeviceConfiguration.original.isnot(None))
            .order_by(DeviceConfiguration.id.desc()).limit(PROOF_SAMPLE // 10)).scalars())
    return [token for token in tokens if token]


def _prove(box: KeyCheckBox, tokens: List[str]) -> None:
    """Accept a key without a record only when it opens a stored value, or when nothing is sealed yet."""
    if not tokens or any(box.opens_with_current(token) for token in tokens):
        return
    if any(box.opened_by_comma_parts(token) for token in tokens):
        raise box.comma_error()
    if any(box.can_decrypt(token) for token in tokens):
        raise EncryptionKeyError(
            "NETRAVEN_ENCRYPTION_KEY opens none of the stored values, NETRAVEN_ENCRYPTION_OLD_KEYS does: this install "
            "has not recorded its key yet and does not adopt one that opens nothing; correct NETRAVEN_ENCRYPTION_KEY, "
            "or adopt it as the new key with netraven.netraven.rekey")
    error = box.cannot_open_error(tokens[0])
    if "cannot decrypt a stored credential" not in str(error):
        raise error  # a format this release cannot open, or the comma syntax
    raise EncryptionKeyError(
        "NETRAVEN_ENCRYPTION_KEY cannot decrypt any of the %d stored value(s) tried, nor can any key in "
        "NETRAVEN_ENCRYPTION_OLD_KEYS: the key is wrong or was rotated out (put the old passphrase in "
        "NETRAVEN_ENCRYPTION_OLD_KEYS)" % len(tokens))


def verify_key(engine: Engine, box: KeyCheckBox) -> None:
    """Refuse, in one line, a current key that is not the install's; cached per process, URL and passphrase."""
    url = _url(engine)
    cache_key = (url, box.passphrase)
    with _LOCK:
        if cache_key in _VERIFIED:
            return
    with read_scope(engine) as connection:
        recorded = _recorded(connection)
        if recorded is None:
            _prove(box, _sample(connection))
            pending = box.check_value()
        elif _matches(box, recorded):
            pending = None
        else:
            raise mismatch_error(box, recorded, describe_engine(engine))
    with _LOCK:
        _VERIFIED[cache_key] = True
        if pending is not None:
            _PENDING[cache_key] = pending


def _insert(session: Session, value: str) -> None:
    """Insert the record unless another run did; a different record written meanwhile is refused."""
    try:
        with session.begin_nested():
            session.execute(sa.insert(InstallSecret).values(name=KEY_CHECK_NAME, value=value))
    except sa_exc.IntegrityError:
        recorded = _recorded(session)
        if not hmac.compare_digest(str(recorded).strip(), value):
            raise EncryptionKeyError(
                "Another run recorded a different key for this install (install_secrets row '%s') while this one "
                "used NETRAVEN_ENCRYPTION_KEY for the first time: run again to see which one is refused" % (
                    KEY_CHECK_NAME,)) from None


def record_key_check(session: Session, box: KeyCheckBox) -> None:
    """Record the key of an install that had none, in the caller's transaction, once the box was used to write or open."""
    cache_key = (_url(session), box.passphrase)
    with _LOCK:
        pending = _PENDING.get(cache_key)
    if pending is None:
        return
    _insert(session, pending)
    with _LOCK:
        _PENDING.pop(cache_key, None)


def check_adoptable(session: Session, box: KeyCheckBox) -> Optional[str]:
    """For rekey: the recorded check, when the recorded key is the current one or an old one; else one line.

    Adopting a new key needs the recorded one among the configured keys, so that a rekey
    with a mistyped key and no old key cannot replace the install's key.
    """
    recorded = _recorded(session)
    if recorded is None or _matches(box, recorded):
        return recorded
    if any(_matches(box, recorded, part) for part in box.comma_parts()):
        raise box.comma_error()  # a new,old value left from the old syntax is never adopted as a passphrase
    if any(_matches(box, recorded, old) for old in box.old_passphrases):
        return recorded
    raise EncryptionKeyError(
        "The key this install records (install_secrets row '%s') is neither NETRAVEN_ENCRYPTION_KEY nor one of "
        "NETRAVEN_ENCRYPTION_OLD_KEYS: nothing was re-sealed. Put the install's current key in "
        "NETRAVEN_ENCRYPTION_OLD_KEYS to adopt a new one" % KEY_CHECK_NAME)


def adopt_key(session: Session, box: KeyCheckBox, recorded: Optional[str], check_mode: bool = False) -> bool:
    """Record the current key as the install's (the rekey module, after re-sealing); True when the record changes.

    recorded is what check_adoptable returned, in the same transaction. Check mode writes nothing.
    """
    value = box.check_value()
    if recorded is not None and hmac.compare_digest(str(recorded).strip(), value):
        return False
    if check_mode:
        return True
    if recorded is None:
        _insert(session, value)
    else:
        session.execute(sa.update(InstallSecret).where(InstallSecret.name == KEY_CHECK_NAME).values(value=value))
    url = _url(session)
    with _LOCK:
        for cache_key in [key for key in _VERIFIED if key[0] == url]:
            del _VERIFIED[cache_key]
        for cache_key in [key for key in _PENDING if key[0] == url]:
            del _PENDING[cache_key]
    return True


def forget_checks() -> None:
    """Drop this process's cached checks (tests; a rekey in this process drops its database's itself)."""
    with _LOCK:
        _VERIFIED.clear()
        _PENDING.clear()
