# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Re-seal every stored credential password under the current key (the rekey module's core).

Key rotation has two halves. Listing the new passphrase first and the old one after it
makes new passwords use the new key while the stored ones still open. Re-sealing the
stored ones under the new key is what finally lets the old passphrase go, without
anyone having to know, or type again, the device passwords.

All or nothing: when a configured key opens none of the stored values, the task names
those credentials and writes nothing, because dropping the old passphrase afterwards
would lose them. Each row is rewritten only if it still holds the ciphertext that was
read, so a password changed meanwhile by the credential module is left as it is.
"""

from __future__ import annotations

from ansible_collections.netraven.netraven.plugins.module_utils._database import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._errors import EncryptionKeyError
from ansible_collections.netraven.netraven.plugins.module_utils._models import HAS_SQLALCHEMY, Credential

if HAS_SQLALCHEMY:
    import sqlalchemy as sa

MAX_NAMES_SHOWN = 20


def _named(rows):
    names = ["'%s' (id %d)" % (name, cred_id) for cred_id, name, _token in rows[:MAX_NAMES_SHOWN]]
    if len(rows) > MAX_NAMES_SHOWN:
        names.append("and %d more" % (len(rows) - MAX_NAMES_SHOWN))
    return ", ".join(names)


def rekey_credentials(engine, secret_box, check_mode=False):
    """Re-seal the passwords that an older configured key seals; returns the module's result fields."""
    with session_scope(engine) as session:
        rows = session.execute(sa.select(Credential.id, Credential.name, Credential.password)
                               .order_by(Credential.id)).all()
        stale = [row for row in rows if not secret_box.is_current(row.password)]
        unreadable = [row for row in stale if not secret_box.can_decrypt(row.password)]
        if unreadable and secret_box.opened_by_comma_parts(unreadable[0].password):
            raise secret_box.cannot_open_error(unreadable[0].password)
        if unreadable:
            raise EncryptionKeyError(
                "No configured key opens the password of %d credential(s): %s. Nothing was re-sealed: put the "
                "passphrase they were written with in NETRAVEN_ENCRYPTION_OLD_KEYS, or set their passwords again"
                % (len(unreadable), _named(unreadable)))
        if not check_mode:
            for cred_id, _name, token in stale:
                session.execute(sa.update(Credential)
                                .where(Credential.id == cred_id, Credential.password == token)
                                .values(password=secret_box.rotate(token)))
    return {
        "changed": bool(stale),
        "rekeyed": [name for _cred_id, name, _token in stale],
        "current": len(rows) - len(stale),
        "total": len(rows),
        "msg": "%d of %d credential password(s) %s under the current key" % (
            len(stale), len(rows), "would be re-sealed" if check_mode else "re-sealed"),
    }
