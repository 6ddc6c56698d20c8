# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which devices a compliance call evaluates, and which rules apply to each (platforms, tags).

The call's scope: ``devices`` (hostnames), ``tags`` (any of them, disabled devices included, as
config_info's search), ``job_id`` (the devices the job targets), or every enabled device; given
together they narrow each other. A rule's own ``platforms`` (device types or profile names) and
``tags`` leave the other devices NOT_APPLICABLE. A name that matches nothing (a device, a tag,
a platform) is refused in one line, since a typo would otherwise make a rule silently apply nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Sequence, Set

from ansible_collections.netraven.netraven.plugins.module_utils._compliance._rules import Rule
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._secret_guard import check_lines, check_text
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    HAS_SQLALCHEMY,
    Device,
    JobResult,
    Tag,
    device_tag_association,
)
from ansible_collections.netraven.netraven.plugins.module_utils._errors import (
    ValidationError,
    refuse_unknown_tags,
    short_value,
)
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._lookup import require_job
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import (
    GENERIC,
    PROFILES,
    PROFILES_BY_NAME,
    profile_for,
)
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


@dataclass
class ScopedDevice:
    """A device of the call's scope: its id, hostname, device type, profile and tags."""

    id: int
    hostname: str
    device_type: str
    profile: Profile
    tags: FrozenSet[str] = frozenset()


def _profile(device_type: str, registry: Optional[Dict[str, Profile]]) -> Profile:
    return profile_for(device_type, registry) or GENERIC


def scoped_devices(connection: Connection, devices: Optional[Sequence[str]], tags: Optional[Sequence[str]],
                   job_id: Optional[int], registry: Optional[Dict[str, Profile]], with_tags: bool) -> List[ScopedDevice]:
    """The devices of the call, by id; each with its tags when some rule is scoped by tags."""
    query = sa.select(Device.id, Device.hostname, Device.device_type).order_by(Device.id)
    if devices:
        names = sorted(set(devices))
        query = query.where(Device.hostname.in_(names))
        known = set(connection.execute(sa.select(Device.hostname).where(Device.hostname.in_(names))).scalars())
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValidationError("Unknown device '%s': no device has that hostname" % short_value(unknown[0]))
    if tags:
        known_tags = set(connection.execute(sa.select(Tag.name).where(Tag.name.in_(list(tags)))).scalars())
        refuse_unknown_tags(sorted(set(tags)), known_tags)
        tagged = (sa.select(device_tag_association.c.device_id)
                  .join(Tag, Tag.id == device_tag_association.c.tag_id).where(Tag.name.in_(list(tags))))
        query = query.where(Device.id.in_(tagged))
    if job_id is not None:
        require_job(connection, job_id)
        query = query.where(Device.id.in_(sa.select(JobResult.device_id).where(JobResult.job_id == job_id)))
    if not devices and not tags and job_id is None:
        query = query.where(Device.enabled == sa.true())
    found = [ScopedDevice(row.id, row.hostname, row.device_type, _profile(row.device_type, registry))
             for row in connection.execute(query)]
    if with_tags and found:
        by_id = {device.id: device for device in found}
        pairs: Dict[int, Set[str]] = {}
        rows = connection.execute(sa.select(device_tag_association.c.device_id, Tag.name)
                                  .join(Tag, Tag.id == device_tag_association.c.tag_id))
        for device_id, name in rows:
            if device_id in by_id:
                pairs.setdefault(device_id, set()).add(name)
        for device_id, tag_names in pairs.items():
            by_id[device_id].tags = frozenset(tag_names)
    return found


def check_rule_scopes(connection: Connection, rules: Sequence[Rule], registry: Optional[Dict[str, Profile]]) -> None:
    """Every platform a rule names is a device type or a profile name, and every tag exists."""
    known = set(PROFILES) | set(PROFILES_BY_NAME) | set(registry or {}) | {p.name for p in (registry or {}).values()}
    for rule in rules:
        for name in rule.platforms:
            if name not in known and not _netmiko_knows(name):
                raise ValidationError("%s: '%s' is no device type or platform profile name"
                                      % (rule.where("platforms"), short_value(name)))
    wanted = sorted({tag for rule in rules for tag in rule.tags})
    if wanted:
        existing = set(connection.execute(sa.select(Tag.name).where(Tag.name.in_(wanted))).scalars())
        missing = [tag for tag in wanted if tag not in existing]
        if missing:
            rule = next(rule for rule in rules if missing[0] in rule.tags)
            raise ValidationError("%s: unknown tag '%s'" % (rule.where("tags"), short_value(missing[0])))


def _netmiko_knows(device_type: str) -> bool:
    """Whether netmiko has the device type (a device without a profile may still be named): imported only then."""
    try:
        from netmiko.ssh_dispatcher import CLASS_MAPPER
    except ImportError:  # pragma: no cover - netmiko is a requirement; without it only the profiles are known
        return False
    return device_type in CLASS_MAPPER


def applies(rule: Rule, device: ScopedDevice) -> bool:
    """Whether the rule's own scope (platforms, tags) takes the device in."""
    if rule.platforms and device.device_type not in rule.platforms and device.profile.name not in rule.platforms:
        return False
    return not rule.tags or not device.tags.isdisjoint(rule.tags)


def rule_profiles(rule: Rule, devices: Sequence[ScopedDevice], registry: Optional[Dict[str, Profile]]) -> List[Profile]:
    """The profiles whose secrets a rule must not test: its platforms', or those of the devices it applies to."""
    found: Dict[str, Profile] = {}
    if rule.platforms:
        for name in rule.platforms:
            profile = PROFILES_BY_NAME.get(name) or profile_for(name, registry) or next(
                (p for p in (registry or {}).values() if p.name == name), None) or GENERIC
            found[profile.name] = profile
    else:
        for device in devices:
            if applies(rule, device):
                found.setdefault(device.profile.name, device.profile)
    return list(found.values())


def guard_secrets(rule: Rule, profiles: Sequence[Profile]) -> None:
    """Refuse the rule if any of its texts tests a secret's value (see _secret_guard)."""
    sections = (rule.section,) if rule.section else ()
    for field in ("must_contain", "must_not_contain"):
        for number, pattern in enumerate(getattr(rule, field), start=1):
            check_text(rule.where(field) + (" (entry %d)" % number if len(getattr(rule, field)) > 1 else ""),
                       pattern, True, profiles, sections)
    for field in ("section", "section_having"):
        pattern = getattr(rule, field)
        if pattern is not None:
            check_text(rule.where(field), pattern, True, profiles, sections)
    for prefix in rule.match:
        check_text(rule.where("match"), prefix, False, profiles, sections)
    if rule.intended:
        check_lines(rule.where("intended"), list(rule.intended), profiles, sections)
