# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the tag, device and credential modules share: tag resolution, plans, diffs.

The management modules are declarative: a playbook describes the estate and a
re-run changes nothing. Each module therefore first computes a plan (the fields
that differ, the tags to create) without writing, which gives check mode, diff
and ``changed`` from one code path; only then, outside check mode, applies it.
An option left out of a task is not managed (as in ansible.builtin.user), so a
task that sets only ``enabled`` never resets a port someone else chose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, overload

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError, unknown_tags_message
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Tag
from ansible_collections.netraven.netraven.plugins.module_utils._manage._names import check_path_safe

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
    from sqlalchemy import exc as sa_exc
if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Tag as TagRow
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule


def tag_names(tags: Iterable[TagRow]) -> List[str]:
    """Sorted names of Tag objects: the order-free form results and comparisons use."""
    return sorted(tag.name for tag in tags)


def clean_tag_names(names: Optional[Iterable[Optional[str]]], option: str = "tags") -> Optional[List[str]]:
    """Strip, refuse empty names and drop duplicates; None stays None (tags not managed)."""
    if names is None:
        return None
    cleaned = []
    for name in names:
        name = (name or "").strip()
        if not name:
            raise ValidationError("%s: a tag name must not be empty" % option)
        check_text("%s: tag name '%s'" % (option, name[:40]), name, 255)
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


@overload
def check_text(option: str, value: str, limit: int, required: bool = False) -> str: ...


@overload
def check_text(option: str, value: None, limit: int, required: bool = False) -> None: ...


@overload
def check_text(option: str, value: Optional[str], limit: int, required: bool = False) -> Optional[str]: ...


def check_text(option: str, value: Optional[str], limit: int, required: bool = False) -> Optional[str]:
    """Refuse an empty required value or one longer than its column (PostgreSQL would reject it late)."""
    if value is None:
        return None
    if required and not value.strip():
        raise ValidationError("%s must not be empty" % option)
    if len(value) > limit:
        raise ValidationError("%s is %d characters long, the limit is %d" % (option, len(value), limit))
    return value


def find_tags(session: Session, names: Optional[Iterable[str]]) -> Dict[str, TagRow]:
    """Map name -> Tag for those of names that exist; one query."""
    if not names:
        return {}
    return {tag.name: tag for tag in session.scalars(sa.select(Tag).where(Tag.name.in_(list(names))))}


class TagPlan:
    """The tag set an object should end with, and which of its tags do not exist yet.

    Built without writing anything; ``apply`` creates the missing tags (only when
    create_tags allowed it) and returns the Tag objects to assign.

    In check mode an unknown tag is a warning, not an error: an earlier task of the
    same playbook (netraven.netraven.tag) would have created it, and a check run of
    a playbook describing a whole estate must get through to predict the rest.
    """

    def __init__(self, session: Session, current: Iterable[str], names: Optional[Iterable[Optional[str]]], purge: bool = True,
                 create: bool = False, option: str = "tags", check_mode: bool = False) -> None:
        self.current = sorted(current)
        self.warnings: List[str] = []
        names = clean_tag_names(names, option)
        if names is None:
            self.wanted = list(self.current)
            self.existing: Dict[str, TagRow] = {}
            self.missing: List[str] = []
            return
        self.existing = find_tags(session, names)
        self.missing = [check_path_safe("%s: tag name" % option, name) for name in names if name not in self.existing]
        if self.missing and not create:
            message = unknown_tags_message(self.missing, option)
            if not check_mode:
                raise ValidationError("%s (create %s with netraven.netraven.tag first, or set create_tags: true)" % (
                    message, "them" if len(self.missing) > 1 else "it"))
            plural = len(self.missing) > 1
            self.warnings.append("%s; check mode assumes an earlier task creates %s, a real run fails unless %s or "
                                 "create_tags is true" % (message, "them" if plural else "it", "they exist" if plural else "it exists"))
            self.missing = []
        wanted = set(names) if purge else set(self.current) | set(names)
        self.wanted = sorted(wanted)

    @property
    def changed(self) -> bool:
        """True when the object's tag set differs from the wanted one."""
        return self.wanted != self.current

    def apply(self, session: Session, current_tags: Iterable[TagRow]) -> List[TagRow]:
        """Create the missing tags and return the Tag objects for the wanted set."""
        by_name = {tag.name: tag for tag in current_tags}
        by_name.update(self.existing)
        for name in self.missing:
            tag = Tag(name=name)
            session.add(tag)
            by_name[name] = tag
        return [by_name[name] for name in self.wanted]


def changed_fields(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> Dict[str, Any]:
    """The wanted values (None = not managed) that differ from current: {field: new value}."""
    return {field: value for field, value in wanted.items() if value is not None and current.get(field) != value}


def make_diff(before: Optional[Mapping[str, Any]], after: Optional[Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """Ansible's diff structure; an absent object is an empty dict."""
    return {"before": dict(before or {}), "after": dict(after or {})}


def flush_or_conflict(session: Session, describe: Callable[[], str]) -> None:
    """Flush pending writes; a unique-constraint race becomes a one-line ValidationError.

    The plan checked uniqueness first, so this only fires when another run wrote the
    same key in between; describe() names the object for the message.
    """
    try:
        session.flush()
    except sa_exc.IntegrityError:
        session.rollback()
        raise ValidationError("%s conflicts with a row another run wrote at the same time; run the task again" % describe()) from None


def module_result(module: HandlerModule, result: Dict[str, Any]) -> Dict[str, Any]:
    """Shape a core result for exit_json: warnings go through module.warn, diff only in diff mode."""
    result = dict(result)
    for warning in result.pop("warnings", None) or ():
        module.warn(warning)
    if not module._diff:  # pylint: disable=protected-access
        result.pop("diff", None)
    return result
