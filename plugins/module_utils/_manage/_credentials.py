# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Idempotent management of credentials (the netraven.netraven.credential module's core).

A credential's key is its name, which defaults to the username: most estates have
one credential per username, and those that keep two passwords for one username
(old and new during a rotation) name them. The password, the enable secret, the
private key and its passphrase are stored as Fernet ciphertext and only written when
asked: on creation, or on every run with update_password=always, where each is compared
by decrypting the stored value (Fernet is randomised, so re-encrypting would never
compare equal and every run would report a change). Nothing here ever returns or shows
a secret or its ciphertext: results and diffs carry at most a "<changed>" marker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import check_text, tag_names
from ansible_collections.netraven.netraven.plugins.module_utils._manage._ensure import Ensure, Plan
from ansible_collections.netraven.netraven.plugins.module_utils._backup._private_keys import check_private_key, normalise_key_text
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Credential, JumpHost
from ansible_collections.netraven.netraven.plugins.module_utils._key_check import record_key_check
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_text

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from ansible_collections.netraven.netraven.plugins.module_utils._crypto import SecretBox

MANAGED_FIELDS = ("name", "username", "priority", "description", "is_system", "tags")
DEFAULT_PRIORITY = 100
UPDATE_PASSWORD_CHOICES = ("always", "on_create")


def credential_to_dict(credential: Any, tags: Optional[List[str]] = None) -> Dict[str, Any]:
    """The credential as a result dict: never the password or its ciphertext."""
    return {
        "id": credential.id,
        "name": credential.name,
        "username": credential.username,
        "priority": credential.priority,
        "description": credential.description,
        "is_system": credential.is_system,
        "tags": tag_names(credential.tags) if tags is None else list(tags),
        "last_used": iso_text(credential.last_used),
        "success_rate": credential.success_rate,
        "success_count": credential.success_count,
        "failure_count": credential.failure_count,
    }


# The sealed columns a task may set besides the password; each is optional ("" clears it with update_password=always).
OPTIONAL_SECRETS = ("enable_secret", "private_key", "private_key_passphrase")


def _creation_secrets(name: str, given: Dict[str, Optional[str]]) -> Dict[str, Optional[str]]:
    """The secrets a new credential is written with: a password or a key (or both); empty optional values are unset."""
    if given["password"] == "":
        raise ValidationError("Credential '%s': the password must not be empty" % name)
    if given["password"] is None and not given["private_key"]:
        raise ValidationError("Credential '%s' does not exist: password is required to create it (or private_key, "
                              "for a key-only login)" % name)
    return {column: value for column, value in given.items() if value}


class EnsureCredential(Ensure):
    """A credential under the skeleton of _ensure: the name is its key, every secret a sealed column.

    The secrets (password, enable secret, private key and its passphrase) follow update_password:
    written when the task creates the credential, and with ``always`` also when they differ from
    the stored ones (compared by opening them). The diff shows each written one as a marker.
    """

    model = Credential
    label = "Credential"
    result_key = "credential"
    managed_fields = MANAGED_FIELDS
    unsaved_fields = {"id": None, "last_used": None, "success_rate": None, "success_count": 0, "failure_count": 0}

    def __init__(self, secret_box: Callable[[], SecretBox], name: Optional[str] = None, username: Optional[str] = None,
                 password: Optional[str] = None, update_password: str = "on_create", priority: Optional[int] = None,
                 description: Optional[str] = None, is_system: Optional[bool] = None, tags: Optional[List[str]] = None,
                 purge_tags: bool = True, create_tags: bool = False, check_mode: bool = False,
                 enable_secret: Optional[str] = None, private_key: Optional[str] = None,
                 private_key_passphrase: Optional[str] = None) -> None:
        if update_password not in UPDATE_PASSWORD_CHOICES:
            raise ValidationError("update_password must be one of %s, not '%s'" % (
                ", ".join(UPDATE_PASSWORD_CHOICES), update_password))
        name = (name or username or "").strip()
        check_text("name (or username)", name, 255, required=True)
        check_text("username", username, 255, required=True)
        super().__init__(name, check_mode)
        self.secret_box = secret_box
        self.given = {"password": password, "enable_secret": enable_secret, "private_key": private_key,
                      "private_key_passphrase": private_key_passphrase}
        self.update_password = update_password
        self.wanted = {"username": username, "priority": priority, "description": description, "is_system": is_system}
        self.tags, self.purge_tags, self.create_tags = tags, purge_tags, create_tags

    def to_dict(self, row: Any, tags: Optional[List[str]] = None) -> Dict[str, Any]:
        return credential_to_dict(row, tags)

    def plan(self, session: Session, row: Any, before: Optional[Dict[str, Any]]) -> Plan:
        tags = self.tag_plan(session, before, self.tags, self.purge_tags, self.create_tags)
        if row is None:
            if self.wanted["username"] is None:
                raise ValidationError("Credential '%s' does not exist: username is required to create it" % self.key)
            writes = _creation_secrets(self.key, self.given)
        elif self.update_password == "always":
            writes = self._differing_secrets(row)
        else:
            writes = {}
        writes = self._checked_key(row, writes)
        secrets = {column: self.secret_box().encrypt(value) if value is not None else None for column, value in writes.items()}
        defaults = {"name": self.key, "priority": DEFAULT_PRIORITY, "is_system": False, "description": None,
                    "success_count": 0, "failure_count": 0}
        return Plan(row, before, self.column_changes(before, self.wanted, defaults), tags, secrets)

    def _stored(self, row: Any, column: str) -> Optional[str]:
        token = getattr(row, column) if row is not None else None
        return self.secret_box().decrypt(token) if token is not None else None

    def _differing_secrets(self, row: Any) -> Dict[str, Optional[str]]:
        """update_password=always: the given secrets that differ from the stored ones ("" clears an optional one)."""
        if self.given["password"] == "":
            raise ValidationError("Credential '%s': the password must not be empty" % self.key)
        writes: Dict[str, Optional[str]] = {}
        for column, value in self.given.items():
            if value is None:
                continue
            wanted = (normalise_key_text(value) if column == "private_key" and value else value) or None
            if self._stored(row, column) != wanted:
                writes[column] = wanted
        final_password = writes["password"] if "password" in writes else row.password
        final_key = writes["private_key"] if "private_key" in writes else row.private_key
        if final_password is None and final_key is None:
            raise ValidationError("Credential '%s' would have neither a password nor a private_key" % self.key)
        return writes

    def _checked_key(self, row: Any, writes: Dict[str, Optional[str]]) -> Dict[str, Optional[str]]:
        """When the key or its passphrase is written: the pair the credential ends with must open (key normalised)."""
        if "private_key" not in writes and "private_key_passphrase" not in writes:
            return writes
        key = writes["private_key"] if "private_key" in writes else self._stored(row, "private_key")
        passphrase = (writes["private_key_passphrase"] if "private_key_passphrase" in writes
                      else self._stored(row, "private_key_passphrase"))
        if key is None:
            if passphrase is not None:
                raise ValidationError("Credential '%s': private_key_passphrase is given without a private_key" % self.key)
            return writes
        checked = check_private_key(key, passphrase, self.key)
        if "private_key" in writes:
            writes = dict(writes, private_key=checked)
        return writes

    def _apply(self, session: Session, plan: Plan) -> Dict[str, Any]:
        after = super()._apply(session, plan)
        if any(value is not None for value in plan.secrets.values()):
            record_key_check(session, self.secret_box())  # an install's first sealed value records its key (_key_check)
        return after

    def result_fields(self, plan: Optional[Plan]) -> Dict[str, Any]:
        if plan is None:
            return {"password_changed": False, "secrets_changed": [], "created_tags": []}
        return {"password_changed": "password" in plan.secrets, "secrets_changed": sorted(plan.secrets),
                "created_tags": plan.created_tags, "warnings": plan.warnings}

    def removal(self, session: Session, row: Any) -> Dict[str, Any]:
        """A credential that logs in to jump hosts stays: their devices would lose their way in."""
        users = list(session.scalars(sa.select(JumpHost.name).where(JumpHost.credential_id == row.id).order_by(JumpHost.name)))
        if users:
            raise ValidationError("Credential '%s' logs in to jump host(s) %s: give them another credential or remove "
                                  "them first" % (self.key, ", ".join("'%s'" % name for name in users[:20])))
        return super().removal(session, row)


def ensure_credential(engine: Engine, secret_box: Callable[[], SecretBox], name: Optional[str] = None,
                      username: Optional[str] = None, password: Optional[str] = None,
                      update_password: str = "on_create", priority: Optional[int] = None,
                      description: Optional[str] = None, is_system: Optional[bool] = None, tags: Optional[List[str]] = None,
                      purge_tags: bool = True, create_tags: bool = False, state: str = "present",
                      check_mode: bool = False, enable_secret: Optional[str] = None, private_key: Optional[str] = None,
                      private_key_passphrase: Optional[str] = None) -> Dict[str, Any]:
    """Make the credential exist as described (None = leave as is) or not exist.

    secret_box is a callable returning the SecretBox, called only when a secret is
    written or compared, so tasks that leave the secrets alone need no key.
    Returns {changed, credential, password_changed, secrets_changed, created_tags, diff}.
    """
    ensure = EnsureCredential(secret_box, name=name, username=username, password=password,
                              update_password=update_password, priority=priority, description=description,
                              is_system=is_system, tags=tags, purge_tags=purge_tags, create_tags=create_tags,
                              check_mode=check_mode, enable_secret=enable_secret, private_key=private_key,
                              private_key_passphrase=private_key_passphrase)
    # Devices that last used a removed credential and log rows keep their history (SET NULL in the schema).
    return ensure.run(engine, state)
