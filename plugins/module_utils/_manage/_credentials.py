# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Idempotent management of credentials (the netraven.netraven.credential module's core).

A credential's key is its name, which defaults to the username: most estates have
one credential per username, and those that keep two passwords for one username
(old and new during a rotation) name them. The password is stored as Fernet
ciphertext and only written when asked: on creation, or on every run with
update_password=always, where it is compared by decrypting the stored value
(Fernet is randomised, so re-encrypting would never compare equal and every run
would report a change). Nothing here ever returns or shows the password or its
ciphertext: results and diffs carry at most a "<changed>" marker.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import check_text, tag_names
from ansible_collections.netraven.netraven.plugins.module_utils._manage._ensure import Ensure, Plan
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_text

MANAGED_FIELDS = ("name", "username", "priority", "description", "is_system", "tags")
DEFAULT_PRIORITY = 100
UPDATE_PASSWORD_CHOICES = ("always", "on_create")


def credential_to_dict(credential: Any, tags: Optional[list] = None) -> Dict[str, Any]:
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


def _require_password(name: str, password: Optional[str]) -> None:
    if password is None:
        raise ValidationError("Credential '%s' does not exist: password is required to create it" % name)
    if password == "":
        raise ValidationError("Credential '%s': the password must not be empty" % name)


class EnsureCredential(Ensure):
    """A credential under the skeleton of _ensure: the name is its key, the password a sealed secret."""

    model = Credential
    label = "Credential"
    result_key = "credential"
    managed_fields = MANAGED_FIELDS
    unsaved_fields = {"id": None, "last_used": None, "success_rate": None, "success_count": 0, "failure_count": 0}

    def __init__(self, secret_box: Callable[[], Any], name: Optional[str] = None, username: Optional[str] = None,
                 password: Optional[str] = None, update_password: str = "on_create", priority: Optional[int] = None,
                 description: Optional[str] = None, is_system: Optional[bool] = None, tags: Optional[list] = None,
                 purge_tags: bool = True, create_tags: bool = False, check_mode: bool = False) -> None:
        if update_password not in UPDATE_PASSWORD_CHOICES:
            raise ValidationError("update_password must be one of %s, not '%s'" % (
                ", ".join(UPDATE_PASSWORD_CHOICES), update_password))
        name = (name or username or "").strip()
        check_text("name (or username)", name, 255, required=True)
        check_text("username", username, 255, required=True)
        super().__init__(name, check_mode)
        self.secret_box = secret_box
        self.password, self.update_password = password, update_password
        self.wanted = {"username": username, "priority": priority, "description": description, "is_system": is_system}
        self.tags, self.purge_tags, self.create_tags = tags, purge_tags, create_tags

    def to_dict(self, row: Any, tags: Optional[list] = None) -> Dict[str, Any]:
        return credential_to_dict(row, tags)

    def plan(self, session: Any, row: Any, before: Optional[Dict[str, Any]]) -> Plan:
        tags = self.tag_plan(session, before, self.tags, self.purge_tags, self.create_tags)
        secrets = {}
        if row is None:
            if self.wanted["username"] is None:
                raise ValidationError("Credential '%s' does not exist: username is required to create it" % self.key)
            _require_password(self.key, self.password)
            secrets["password"] = self.secret_box().encrypt(self.password)
        elif self.update_password == "always" and self.password is not None:
            if self.password == "":
                raise ValidationError("Credential '%s': the password must not be empty" % self.key)
            if self.secret_box().decrypt(row.password) != self.password:
                secrets["password"] = self.secret_box().encrypt(self.password)
        defaults = {"name": self.key, "priority": DEFAULT_PRIORITY, "is_system": False, "description": None,
                    "success_count": 0, "failure_count": 0}
        return Plan(row, before, self.column_changes(before, self.wanted, defaults), tags, secrets)

    def result_fields(self, plan: Optional[Plan]) -> Dict[str, Any]:
        if plan is None:
            return {"password_changed": False, "created_tags": []}
        return {"password_changed": "password" in plan.secrets, "created_tags": plan.created_tags,
                "warnings": plan.warnings}


def ensure_credential(engine: Any, secret_box: Callable[[], Any], name: Optional[str] = None,
                      username: Optional[str] = None, password: Optional[str] = None,
                      update_password: str = "on_create", priority: Optional[int] = None,
                      description: Optional[str] = None, is_system: Optional[bool] = None, tags: Optional[list] = None,
                      purge_tags: bool = True, create_tags: bool = False, state: str = "present",
                      check_mode: bool = False) -> Dict[str, Any]:
    """Make the credential exist as described (None = leave as is) or not exist.

    secret_box is a callable returning the SecretBox, called only when a password is
    written or compared, so tasks that leave the password alone need no key.
    Returns {changed, credential, password_changed, created_tags, diff}.
    """
    ensure = EnsureCredential(secret_box, name=name, username=username, password=password,
                              update_password=update_password, priority=priority, description=description,
                              is_system=is_system, tags=tags, purge_tags=purge_tags, create_tags=create_tags,
                              check_mode=check_mode)
    # Devices that last used a removed credential and log rows keep their history (SET NULL in the schema).
    return ensure.run(engine, state)
