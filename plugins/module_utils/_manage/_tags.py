# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Idempotent management of tags (the netraven.netraven.tag module's core).

Tags are what put a credential in a device's chain (docs/architecture.md: "Where each rule lives"), so deleting one
detaches it from every device, credential and job first; the result says how many,
because a vanished tag silently shortens chains.
"""

from __future__ import annotations

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import changed_fields, check_text, flush_or_conflict, make_diff
from ansible_collections.netraven.netraven.plugins.module_utils._manage._names import check_path_safe
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    HAS_SQLALCHEMY,
    Tag,
    credential_tag_association,
    device_tag_association,
    job_tags,
)

if HAS_SQLALCHEMY:
    import sqlalchemy as sa

MANAGED_FIELDS = ("name", "type", "description")


def tag_to_dict(tag):
    """The tag as a result dict."""
    return {"id": tag.id, "name": tag.name, "type": tag.type, "description": tag.description}


def _managed(tag_dict):
    return {field: tag_dict.get(field) for field in MANAGED_FIELDS}


def _usage(session, tag_id):
    """How many devices, credentials and jobs carry the tag."""
    counts = {}
    for key, table in (("devices", device_tag_association), ("credentials", credential_tag_association), ("jobs", job_tags)):
        counts[key] = session.execute(sa.select(sa.func.count()).select_from(table).where(table.c.tag_id == tag_id)).scalar_one()
    return counts


def ensure_tag(engine, name, state="present", type=None, description=None, check_mode=False):  # pylint: disable=redefined-builtin
    """Make the tag exist with the given fields (None = leave as is) or not exist.

    Returns {changed, tag, diff}; with state=absent also 'detached' (devices,
    credentials and jobs that carried the tag). Check mode writes nothing.
    """
    name = check_text("name", (name or "").strip(), 255, required=True)
    check_text("type", type, 50)
    with session_scope(engine) as session:
        tag = session.scalars(sa.select(Tag).where(Tag.name == name)).one_or_none()
        before = tag_to_dict(tag) if tag is not None else None
        if state == "absent":
            if tag is None:
                return {"changed": False, "tag": {}, "diff": make_diff(None, None)}
            detached = _usage(session, tag.id)
            if not check_mode:
                for table in (device_tag_association, credential_tag_association, job_tags):
                    session.execute(sa.delete(table).where(table.c.tag_id == tag.id))
                session.delete(tag)
            return {"changed": True, "tag": {}, "detached": detached, "diff": make_diff(_managed(before), None)}

        check_path_safe("tag name", name)  # a folder of the git export's tag layout (docs/hardening.md)
        wanted = {"name": name, "type": type, "description": description}
        if tag is None:
            after = {"id": None, "name": name, "type": type, "description": description}
            if not check_mode:
                tag = Tag(name=name, type=type, description=description)
                session.add(tag)
                flush_or_conflict(session, lambda: "Tag '%s'" % name)
                after = tag_to_dict(tag)
            return {"changed": True, "tag": after, "diff": make_diff(None, _managed(after))}

        changes = changed_fields(before, wanted)
        after = dict(before, **changes)
        if changes and not check_mode:
            for field, value in changes.items():
                setattr(tag, field, value)
            flush_or_conflict(session, lambda: "Tag '%s'" % name)
        return {"changed": bool(changes), "tag": after, "diff": make_diff(_managed(before), _managed(after))}
