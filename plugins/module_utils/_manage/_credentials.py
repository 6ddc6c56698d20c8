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

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import (
    TagPlan,
    changed_fields,
    check_text,
    flush_or_conflict,
    make_diff,
    tag_names,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Credential
from ansible_collections.netraven.netraven.plugins.module_utils._key_check import record_key_check
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_text

if HAS_SQLALCHEMY:
    import sqlalchemy as sa

MANAGED_FIELDS = ("name", "username", "priority", "description", "is_system", "tags")
DEFAULT_PRIORITY = 100
UPDATE_PASSWORD_CHOICES = ("always", "on_create")
PASSWORD_HIDDEN = "<hidden>"
PASSWORD_CHANGED = "<changed>"


def credential_to_dict(credential, tags=None):
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


def _managed(credential_dict, password_marker=None):
    managed = {field: credential_dict.get(field) for field in MANAGED_FIELDS}
    if password_marker:
        managed["password"] = password_marker
    return managed


def _require_password(name, password):
    if password is None:
        raise ValidationError("Credential '%s' does not exist: password is required to create it" % name)
    if password == "":
        raise ValidationError("Credential '%s': the password must not be empty" % name)


def ensure_credential(engine, secret_box, name=None, username=None, password=None, update_password="on_create",
                      priority=None, description=None, is_system=None, tags=None, purge_tags=True, create_tags=False,
                      state="present", check_mode=False):
    """Make the credential exist as described (None = leave as is) or not exist.

    secret_box is a callable returning the SecretBox, called only when a password is
    written or compared, so tasks that leave the password alone need no key.
    Returns {changed, credential, password_changed, created_tags, diff}.
    """
    if update_password not in UPDATE_PASSWORD_CHOICES:
        raise ValidationError("update_password must be one of %s, not '%s'" % (", ".join(UPDATE_PASSWORD_CHOICES), update_password))
    name = (name or username or "").strip()
    check_text("name (or username)", name, 255, required=True)
    check_text("username", username, 255, required=True)
    if state == "absent":
        return _remove_credential(engine, name, check_mode)
    with session_scope(engine) as session:
        credential = session.scalars(sa.select(Credential).where(Credential.name == name)).one_or_none()
        before = credential_to_dict(credential) if credential is not None else None
        plan = TagPlan(session, before["tags"] if before else [], tags, purge=purge_tags, create=create_tags,
                       check_mode=check_mode)
        wanted = {"username": username, "priority": priority, "description": description, "is_system": is_system}
        ciphertext = None
        if credential is None:
            if username is None:
                raise ValidationError("Credential '%s' does not exist: username is required to create it" % name)
            _require_password(name, password)
            ciphertext = secret_box().encrypt(password)
            changes = {"name": name, "priority": DEFAULT_PRIORITY, "is_system": False, "description": None}
            changes.update({k: v for k, v in wanted.items() if v is not None})
        else:
            changes = changed_fields(before, wanted)
            if update_password == "always" and password is not None:
                if password == "":
                    raise ValidationError("Credential '%s': the password must not be empty" % name)
                if secret_box().decrypt(credential.password) != password:
                    ciphertext = secret_box().encrypt(password)
        password_changed = ciphertext is not None
        result = {"password_changed": password_changed, "created_tags": list(plan.missing), "warnings": plan.warnings}
        if not (credential is None or changes or plan.changed or password_changed):
            result.update(changed=False, credential=before, diff=make_diff(_managed(before), _managed(before)))
            return result

        if check_mode:
            after = dict(before or {"id": None, "last_used": None, "success_rate": None, "success_count": 0,
                                    "failure_count": 0}, **changes)
            after["tags"] = plan.wanted
        else:
            current_tags = list(credential.tags) if credential is not None else []
            if credential is None:
                credential = Credential(password=ciphertext, success_count=0, failure_count=0, **changes)
                session.add(credential)
            else:
                for field, value in changes.items():
                    setattr(credential, field, value)
                if password_changed:
                    credential.password = ciphertext
            if plan.changed:
                credential.tags = plan.apply(session, current_tags)
            flush_or_conflict(session, lambda: "Credential '%s'" % name)
            if password_changed:
                record_key_check(session, secret_box())  # an install's first sealed value records its key (_key_check)
            after = credential_to_dict(credential, plan.wanted)
        markers = (PASSWORD_HIDDEN, PASSWORD_CHANGED) if password_changed and before else (None, None)
        if password_changed and not before:
            markers = (None, PASSWORD_CHANGED)
        result.update(changed=True, credential=after,
                      diff=make_diff(_managed(before, markers[0]) if before else None, _managed(after, markers[1])))
        return result


def _remove_credential(engine, name, check_mode):
    with session_scope(engine) as session:
        credential = session.scalars(sa.select(Credential).where(Credential.name == name)).one_or_none()
        result = {"password_changed": False, "created_tags": []}
        if credential is None:
            result.update(changed=False, credential={}, diff=make_diff(None, None))
            return result
        before = credential_to_dict(credential)
        if not check_mode:
            # Devices that last used it and log rows keep their history (SET NULL in the schema).
            credential.tags = []
            session.delete(credential)
        result.update(changed=True, credential={}, diff=make_diff(_managed(before), None))
        return result
