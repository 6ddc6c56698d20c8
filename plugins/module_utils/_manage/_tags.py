# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Idempotent management of tags (the netraven.netraven.tag module's core).

Tags are what put a credential in a device's chain (docs/architecture.md: "Where each rule lives"), so deleting one
detaches it from every device, credential and job first; the result says how many,
because a vanished tag silently shortens chains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import check_text
from ansible_collections.netraven.netraven.plugins.module_utils._manage._ensure import Ensure, Plan
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
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

MANAGED_FIELDS = ("name", "type", "description")


def tag_to_dict(tag: Any) -> Dict[str, Any]:
    """The tag as a result dict."""
    return {"id": tag.id, "name": tag.name, "type": tag.type, "description": tag.description}


def _usage(session: Session, tag_id: int) -> Dict[str, int]:
    """How many devices, credentials and jobs carry the tag."""
    counts = {}
    for key, table in (("devices", device_tag_association), ("credentials", credential_tag_association), ("jobs", job_tags)):
        counts[key] = session.execute(sa.select(sa.func.count()).select_from(table).where(table.c.tag_id == tag_id)).scalar_one()
    return counts


class EnsureTag(Ensure):
    """A tag under the skeleton of _ensure; removing it detaches it from everything first."""

    model = Tag
    label = "Tag"
    result_key = "tag"
    managed_fields = MANAGED_FIELDS

    def __init__(self, name: str, type: Optional[str] = None, description: Optional[str] = None,  # pylint: disable=redefined-builtin
                 check_mode: bool = False) -> None:
        super().__init__(check_text("name", (name or "").strip(), 255, required=True), check_mode)
        self.wanted = {"name": self.key, "type": check_text("type", type, 50), "description": description}

    def to_dict(self, row: Any, tags: Optional[List[str]] = None) -> Dict[str, Any]:
        return tag_to_dict(row)

    def plan(self, session: Session, row: Any, before: Optional[Dict[str, Any]]) -> Plan:
        check_path_safe("tag name", self.key)  # a folder of the git export's tag layout (docs/hardening.md)
        defaults = {"name": self.key, "type": None, "description": None}
        return Plan(row, before, self.column_changes(before, self.wanted, defaults))

    def removal(self, session: Session, row: Any) -> Dict[str, Any]:
        detached = _usage(session, row.id)
        if not self.check_mode:
            for table in (device_tag_association, credential_tag_association, job_tags):
                session.execute(sa.delete(table).where(table.c.tag_id == row.id))
        return {"detached": detached}


def ensure_tag(engine: Engine, name: str, state: str = "present", type: Optional[str] = None,  # pylint: disable=redefined-builtin
               description: Optional[str] = None, check_mode: bool = False) -> Dict[str, Any]:
    """Make the tag exist with the given fields (None = leave as is) or not exist.

    Returns {changed, tag, diff}; with state=absent also 'detached' (devices,
    credentials and jobs that carried the tag). Check mode writes nothing.
    """
    return EnsureTag(name, type=type, description=description, check_mode=check_mode).run(engine, state)
