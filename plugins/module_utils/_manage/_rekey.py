# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Re-seal every stored credential password and sealed configuration original under the current key and format
(the rekey module's core).

Key rotation: the new passphrase goes in NETRAVEN_ENCRYPTION_KEY and the install's current one
in NETRAVEN_ENCRYPTION_OLD_KEYS, and this task re-seals every stored value under the new key and
records it as the install's key (_key_check.adopt_key), in the same transaction. It is the one
way a new key is adopted: until it has run, every other task refuses the new key in one line
(the install records its key), so nothing is sealed under a key nobody chose. Then the old
passphrase can go, without anyone having to know, or type again, the device passwords. The
recorded key must be the current one or among the old ones, so a rekey with a mistyped key
alone cannot replace it.

The same run upgrades the format: a value is current only when it is sealed at the
current version (``v2:``, the install's salt, 600,000 rounds) under the current passphrase
(SecretBox.is_current), so the version-1 values of 0.1 are re-sealed even when the
passphrase did not change.

All or nothing: when a configured key opens none of the stored values, the task names
those credentials and writes nothing, because dropping the old passphrase afterwards
would lose them. Each row is rewritten only if it still holds the ciphertext that was
read, so a password changed meanwhile by the credential module is left as it is.

The sealed originals of stored configurations (docs/history.md) go the same way, in the same
transaction: one that no configured key opens stops the whole task before anything, password
or original, is written. There can be many of them, each some tens of kilobytes, so they are
streamed twice (check, then re-seal in batches) and only the ids of the stale ones are held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._errors import EncryptionKeyError
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    CREDENTIAL_SECRET_COLUMNS,
    HAS_SQLALCHEMY,
    Credential,
    Device,
    DeviceConfiguration,
)
from ansible_collections.netraven.netraven.plugins.module_utils._key_check import adopt_key, check_adoptable

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from ansible_collections.netraven.netraven.plugins.module_utils._crypto import SecretBox

MAX_NAMES_SHOWN = 20
BATCH = 200


def _named(rows: List[Tuple[int, str, str]]) -> str:
    names = ["'%s' (id %d)" % (name, cred_id) for cred_id, name, _token in rows[:MAX_NAMES_SHOWN]]
    if len(rows) > MAX_NAMES_SHOWN:
        names.append("and %d more" % (len(rows) - MAX_NAMES_SHOWN))
    return ", ".join(names)


def _stale_originals(session: Session, secret_box: SecretBox) -> Tuple[int, List[int], List[str]]:
    """(total originals, ids of those an older key seals, names of those no configured key opens), streamed."""
    total = 0
    stale: List[int] = []
    unreadable: List[str] = []
    query = (sa.select(DeviceConfiguration.id, Device.hostname, DeviceConfiguration.original)
             .join(Device, Device.id == DeviceConfiguration.device_id)
             .where(DeviceConfiguration.original.isnot(None)).order_by(DeviceConfiguration.id))
    streamed = {"stream_results": True, "yield_per": BATCH}
    for config_id, hostname, token in session.execute(query, execution_options=streamed):
        total += 1
        if secret_box.is_current(token):
            continue
        if secret_box.can_decrypt(token):
            stale.append(config_id)
        else:
            unreadable.append("%s config_id %d" % (hostname, config_id))
    return total, stale, unreadable


def _reseal_originals(session: Session, secret_box: SecretBox, stale_ids: List[int]) -> None:
    """Re-seal the stale originals in batches; a row changed since it was read is left as it is."""
    for start in range(0, len(stale_ids), BATCH):
        batch = stale_ids[start:start + BATCH]
        for config_id, token in session.execute(sa.select(DeviceConfiguration.id, DeviceConfiguration.original)
                                                .where(DeviceConfiguration.id.in_(batch))).all():
            if token is None or secret_box.is_current(token):
                continue
            session.execute(sa.update(DeviceConfiguration)
                            .where(DeviceConfiguration.id == config_id, DeviceConfiguration.original == token)
                            .values(original=secret_box.rotate(token)))


def _refuse_unreadable(unreadable_credentials: List[Tuple[int, str, str]], unreadable_originals: List[str]) -> None:
    """One line naming what no configured key opens; nothing was written."""
    parts = []
    if unreadable_credentials:
        parts.append("the password of %d credential(s): %s" % (len(unreadable_credentials), _named(unreadable_credentials)))
    if unreadable_originals:
        shown = unreadable_originals[:MAX_NAMES_SHOWN]
        more = len(unreadable_originals) - len(shown)
        parts.append("the sealed original of %d configuration(s): %s%s" % (
            len(unreadable_originals), ", ".join(shown), " and %d more" % more if more > 0 else ""))
    raise EncryptionKeyError(
        "No configured key opens %s. Nothing was re-sealed: put the passphrase they were written with in "
        "NETRAVEN_ENCRYPTION_OLD_KEYS, or set their passwords again" % "; ".join(parts))


def _sealed_secrets(session: Session) -> List[Tuple[int, str, str, str]]:
    """(credential id, name, column, token) of every sealed secret of every credential, by id then column."""
    columns = [getattr(Credential, column) for column in CREDENTIAL_SECRET_COLUMNS]
    values = []
    for row in session.execute(sa.select(Credential.id, Credential.name, *columns).order_by(Credential.id)):
        for column, token in zip(CREDENTIAL_SECRET_COLUMNS, row[2:]):
            if token is not None:
                values.append((row[0], row[1], column, token))
    return values


def _by_credential(values: List[Tuple[int, str, str, str]]) -> List[Tuple[int, str, str]]:
    """(id, name, first token) once per credential, in id order: messages and results name credentials, not columns."""
    seen: Dict[int, Tuple[int, str, str]] = {}
    for cred_id, name, _column, token in values:
        seen.setdefault(cred_id, (cred_id, name, token))
    return list(seen.values())


def rekey_credentials(engine: Engine, secret_box: SecretBox, check_mode: bool = False) -> Dict[str, Any]:
    """Re-seal the secrets and originals an older configured key or an older format seals; returns the result fields.

    Every sealed column of a credential counts (the password, the enable secret, the key and its
    passphrase); a credential is re-sealed when any of them is, and named once.
    """
    with session_scope(engine) as session:
        recorded = check_adoptable(session, secret_box)
        total = session.execute(sa.select(sa.func.count()).select_from(Credential)).scalar_one()
        values = _sealed_secrets(session)
        stale = [value for value in values if not secret_box.is_current(value[3])]
        unreadable = _by_credential([value for value in stale if not secret_box.can_decrypt(value[3])])
        if unreadable and secret_box.opened_by_comma_parts(unreadable[0][2]):
            raise secret_box.cannot_open_error(unreadable[0][2])
        originals_total, stale_originals, unreadable_originals = _stale_originals(session, secret_box)
        if unreadable or unreadable_originals:
            _refuse_unreadable(unreadable, unreadable_originals)
        if not check_mode:
            for cred_id, _name, column, token in stale:
                session.execute(sa.update(Credential)
                                .where(Credential.id == cred_id, getattr(Credential, column) == token)
                                .values({column: secret_box.rotate(token)}))
            _reseal_originals(session, secret_box, stale_originals)
        key_adopted = adopt_key(session, secret_box, recorded, check_mode)
    rekeyed = [name for _cred_id, name, _token in _by_credential(stale)]
    msg = "%d of %d credential password(s) %s under the current key" % (
        len(rekeyed), total, "would be re-sealed" if check_mode else "re-sealed")
    if originals_total:
        msg += ", and %d of %d configuration original(s)" % (len(stale_originals), originals_total)
    if key_adopted:
        msg += "; NETRAVEN_ENCRYPTION_KEY %s as the install's key" % ("would be recorded" if check_mode else "recorded")
    return {
        "changed": bool(stale or stale_originals or key_adopted),
        "key_adopted": key_adopted,
        "rekeyed": rekeyed,
        "current": total - len(rekeyed),
        "total": total,
        "originals_rekeyed": len(stale_originals),
        "originals_current": originals_total - len(stale_originals),
        "originals_total": originals_total,
        "msg": msg,
    }
