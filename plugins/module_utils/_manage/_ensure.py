# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one skeleton of the management modules: validate, plan, check, apply, diff.

Tags, devices, credentials and jump hosts are managed the same way: find the row by its
key, plan what would change without writing (the fields that differ, the tags, the
secrets to seal), answer ``changed`` and the diff from that plan, and only outside check
mode apply it. What differs between them is small and lives in a subclass of ``Ensure``:
its model and key, the dict a result shows, the fields it manages, and a ``plan`` that
validates what needs the database (conflicts, required fields) before it computes the
changes. Validation that needs no database runs in the subclass's constructor, before
any connection is opened.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import (
    TagPlan,
    changed_fields,
    flush_or_conflict,
    make_diff,
)

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

# Diff markers of a secret column: never its value, only that it was (or will be) written.
SECRET_HIDDEN = "<hidden>"
SECRET_CHANGED = "<changed>"


@dataclasses.dataclass
class Plan:
    """What a task would change, computed without writing anything.

    ``changes`` are plain column values (for a new row, every column it gets); ``secrets``
    are sealed values to write, None to clear one (shown in the diff only as markers); ``tags`` the tag set.
    """

    row: Any
    before: Optional[Dict[str, Any]]
    changes: Dict[str, Any]
    tags: Optional[TagPlan] = None
    secrets: Dict[str, Optional[str]] = dataclasses.field(default_factory=dict, repr=False)
    notes: List[str] = dataclasses.field(default_factory=list)  # warnings besides the tags' (check mode's assumptions)

    @property
    def creating(self) -> bool:
        return self.row is None

    @property
    def changed(self) -> bool:
        return self.creating or bool(self.changes) or bool(self.secrets) or bool(self.tags and self.tags.changed)

    @property
    def created_tags(self) -> List[str]:
        return list(self.tags.missing) if self.tags is not None else []

    @property
    def warnings(self) -> List[str]:
        return (list(self.tags.warnings) if self.tags is not None else []) + self.notes


class Ensure:
    """One kind of row under the skeleton; ``run`` makes it exist as described, or not exist.

    A subclass sets the class attributes and overrides ``to_dict`` and ``plan`` (and the
    other hooks where its kind needs them). Its constructor validates the task's values and
    keeps them; ``key`` is the value of ``key_column`` that names the row.
    """

    model: ClassVar[Any] = None
    key_column: ClassVar[str] = "name"
    label: ClassVar[str] = ""  # "Credential", as messages name the kind
    result_key: ClassVar[str] = ""  # the result's field holding the row ("credential")
    managed_fields: ClassVar[Tuple[str, ...]] = ()
    # A new row's fields that only the database fills, as check mode shows them (id None, counters 0).
    unsaved_fields: ClassVar[Dict[str, Any]] = {"id": None}

    def __init__(self, key: str, check_mode: bool = False) -> None:
        self.key = key
        self.check_mode = check_mode

    # ---- hooks -------------------------------------------------------------------------
    def to_dict(self, row: Any, tags: Optional[List[str]] = None) -> Dict[str, Any]:
        """The row as the result shows it: never a secret."""
        raise NotImplementedError

    def plan(self, session: Session, row: Any, before: Optional[Dict[str, Any]]) -> Plan:
        """Validate what needs the database and compute the Plan; raises ValidationError."""
        raise NotImplementedError

    def result_fields(self, plan: Optional[Plan]) -> Dict[str, Any]:
        """Fields every result of this kind carries besides changed, the row and the diff (plan None: removal)."""
        return {}

    def to_columns(self, session: Session, changes: Dict[str, Any]) -> Dict[str, Any]:
        """The plan's changes as the model's attributes (a related row's name as that row); identity by default."""
        return changes

    def removal(self, session: Session, row: Any) -> Dict[str, Any]:
        """Detach the row before it is deleted (check mode: only count); returns extra result fields."""
        if hasattr(row, "tags") and not self.check_mode:
            row.tags = []
        return {}

    def describe(self) -> str:
        """The row in a message: "Credential 'admin'"."""
        return "%s '%s'" % (self.label, self.key)

    def unknown(self, message: str, notes: List[str]) -> None:
        """A related row that does not exist: an error, or in check mode a warning (an earlier task may create it).

        As for tags (TagPlan): a check run of a playbook describing a whole estate must get
        through to predict the rest, though its credentials and jump hosts are created by
        tasks that check mode does not run.
        """
        if not self.check_mode:
            raise ValidationError(message)
        notes.append("%s; check mode assumes an earlier task creates it, a real run fails unless it exists" % message)

    # ---- helpers for plan() ----------------------------------------------------------------
    def tag_plan(self, session: Session, before: Optional[Dict[str, Any]], tags: Optional[List[str]], purge: bool,
                 create: bool) -> TagPlan:
        """The tag set the row should end with (TagPlan: unknown tags refused, or warned in check mode)."""
        return TagPlan(session, before["tags"] if before else [], tags, purge=purge, create=create,
                       check_mode=self.check_mode)

    @staticmethod
    def column_changes(before: Optional[Dict[str, Any]], wanted: Dict[str, Any],
                       defaults: Dict[str, Any]) -> Dict[str, Any]:
        """The columns to write: a new row gets defaults then every given value; an existing one what differs.

        A value of None in wanted is not managed (the task left the option out).
        """
        if before is None:
            return dict(defaults, **{field: value for field, value in wanted.items() if value is not None})
        return changed_fields(before, wanted)

    def managed(self, row_dict: Optional[Dict[str, Any]], secret_marker: Optional[str] = None,
                plan: Optional[Plan] = None) -> Optional[Dict[str, Any]]:
        """The managed fields of a result dict, for the diff; secrets the plan writes as a marker."""
        if row_dict is None:
            return None
        managed = {field: row_dict.get(field) for field in self.managed_fields}
        if secret_marker and plan is not None:
            managed.update({column: secret_marker for column in plan.secrets})
        return managed

    # ---- the skeleton -----------------------------------------------------------------------
    def find(self, session: Session) -> Any:
        return session.scalars(sa.select(self.model).where(getattr(self.model, self.key_column) == self.key)).one_or_none()

    def run(self, engine: Engine, state: str = "present") -> Dict[str, Any]:
        """Plan, then (outside check mode) apply; returns {changed, <result_key>, diff, ...}."""
        with session_scope(engine) as session:
            row = self.find(session)
            if state == "absent":
                return self._remove(session, row)
            before = self.to_dict(row) if row is not None else None
            plan = self.plan(session, row, before)
            result = self.result_fields(plan)
            if not plan.changed:
                result.update({"changed": False, self.result_key: before,
                               "diff": make_diff(self.managed(before), self.managed(before))})
                return result
            after = self._predicted(plan) if self.check_mode else self._apply(session, plan)
            hidden = SECRET_HIDDEN if before is not None else None
            result.update({"changed": True, self.result_key: after,
                           "diff": make_diff(self.managed(before, hidden, plan), self.managed(after, SECRET_CHANGED, plan))})
            return result

    def _predicted(self, plan: Plan) -> Dict[str, Any]:
        """Check mode: the row as the plan would leave it, nothing written."""
        after = dict(plan.before if plan.before is not None else self.unsaved_fields, **plan.changes)
        if plan.tags is not None:
            after["tags"] = plan.tags.wanted
        return after

    def _apply(self, session: Session, plan: Plan) -> Dict[str, Any]:
        """Write the plan and flush (a unique-key race becomes a one-line error); returns the row as a result dict."""
        row = plan.row
        current_tags = list(row.tags) if row is not None and plan.tags is not None else []
        values = dict(self.to_columns(session, plan.changes), **plan.secrets)
        if row is None:
            row = self.model(**values)
            session.add(row)
        else:
            for field, value in values.items():
                setattr(row, field, value)
        if plan.tags is not None and plan.tags.changed:
            row.tags = plan.tags.apply(session, current_tags)
        flush_or_conflict(session, self.describe)
        return self.to_dict(row, plan.tags.wanted if plan.tags is not None else None)

    def _remove(self, session: Session, row: Any) -> Dict[str, Any]:
        result = self.result_fields(None)
        if row is None:
            result.update({"changed": False, self.result_key: {}, "diff": make_diff(None, None)})
            return result
        before = self.to_dict(row)
        result.update(self.removal(session, row))
        if not self.check_mode:
            session.delete(row)
        result.update({"changed": True, self.result_key: {}, "diff": make_diff(self.managed(before), None)})
        return result
