# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credential chains (docs/architecture.md: "Where each rule lives"): which credentials to try on which device, in which order.

A device's chain is every credential that shares at least one tag with it, once,
ordered by (priority, id); the device's last working credential moves to the front
so a repeat run causes no failed login. Chains for any number of devices are built
from three queries (devices, their tags, credentials with their tags) and plain
Python, never one query per device: the inventory resolves 10,000 devices this way.
Rows become plain dicts, so callers never hold ORM objects or ciphertext.
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, cast

from ansible_collections.netraven.netraven.plugins.module_utils._errors import refuse_unknown_tags
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._lookup import require_job
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    HAS_SQLALCHEMY,
    Credential,
    Device,
    JumpHost,
    Tag,
    credential_tag_association,
    device_tag_association,
    job_tags,
)

if HAS_SQLALCHEMY:
    import sqlalchemy as sa

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from sqlalchemy.sql import ColumnElement

# A device as select_devices returns it (DEVICE_COLUMNS, jump_host, tags, tag_ids; resolve_chains adds
# credentials), and a credential of a chain (id, name, username, priority, tags: never a secret).
DeviceDict = Dict[str, Any]
CredentialDict = Dict[str, Any]

_TRY_ORDER = itemgetter("priority", "id")

DEVICE_COLUMNS = ("id", "hostname", "ip_address", "port", "device_type", "description", "enabled",
                  "last_credential_id", "last_seen", "transport", "legacy_ssh")


def _device_filter(session: Session, tags: Optional[Iterable[str]] = None, job_id: Optional[int] = None,
                   device_ids: Optional[Iterable[int]] = None, hostnames: Optional[Iterable[str]] = None,
                   include_disabled: bool = False) -> List[ColumnElement[bool]]:
    """The WHERE clauses selecting target devices; validates tag names and the job id first."""
    clauses: List[ColumnElement[bool]] = []
    tag_ids = None
    if job_id is not None:
        require_job(session, job_id)
        tag_ids = [row[0] for row in session.execute(sa.select(job_tags.c.tag_id).where(job_tags.c.job_id == job_id))]
    if tags:
        wanted = sorted(set(tags))
        found = dict(session.execute(sa.select(Tag.name, Tag.id).where(Tag.name.in_(wanted))).all())
        refuse_unknown_tags(wanted, found)
        tag_ids = sorted(set(tag_ids or []) | set(found.values())) if job_id is not None else sorted(found.values())
    if tag_ids is not None:
        tagged = sa.select(device_tag_association.c.device_id).where(device_tag_association.c.tag_id.in_(tag_ids))
        clauses.append(Device.id.in_(tagged))
    if device_ids is not None:
        clauses.append(Device.id.in_(list(device_ids)))
    if hostnames is not None:
        clauses.append(Device.hostname.in_(list(hostnames)))
    if not include_disabled:
        clauses.append(Device.enabled.is_(True))
    return clauses


def select_devices(session: Session, tags: Optional[Iterable[str]] = None, job_id: Optional[int] = None,
                   device_ids: Optional[Iterable[int]] = None, hostnames: Optional[Iterable[str]] = None,
                   include_disabled: bool = False) -> List[DeviceDict]:
    """Target devices as dicts ordered by hostname, with their tag names (sorted) under 'tags'
    and the name of their jump host (or None) under 'jump_host'.

    Two queries whatever the count: the devices, then the tag names of those devices
    (joined through the same filter rather than a huge IN list). The order is Python's
    string order, not the database collation, so both backends list devices alike.
    """
    clauses = _device_filter(session, tags, job_id, device_ids, hostnames, include_disabled)
    columns = [getattr(Device, name) for name in DEVICE_COLUMNS]
    # The jump host by name (None: reached directly), in the same query.
    rows = session.execute(sa.select(*columns, JumpHost.name).outerjoin(JumpHost, JumpHost.id == Device.jump_host_id)
                           .where(*clauses)).all()
    devices = [dict(zip(DEVICE_COLUMNS, row), jump_host=row[-1], tags=[], tag_ids=[]) for row in rows]
    devices.sort(key=itemgetter("hostname"))
    if devices:
        by_id = {device["id"]: device for device in devices}
        tag_rows = cast("List[Any]", session.execute(  # Result.all() returns a list, sorted in place below
            sa.select(device_tag_association.c.device_id, Tag.id, Tag.name)
            .join(Tag, Tag.id == device_tag_association.c.tag_id)
            .join(Device, Device.id == device_tag_association.c.device_id)
            .where(*clauses)
        ).all())
        tag_rows.sort(key=itemgetter(2))
        for device_id, tag_id, tag_name in tag_rows:
            device = by_id[device_id]
            device["tags"].append(tag_name)
            device["tag_ids"].append(tag_id)
    return devices


def credentials_by_tag(session: Session) -> Dict[int, List[CredentialDict]]:
    """Map tag id -> credentials (dicts without password) carrying that tag, in try order; one query.

    Each credential is one dict shared by all its tags, its 'tags' sorted by name. Sorting
    happens here rather than in SQL so that both backends agree whatever their collation.
    """
    rows = cast("List[Any]", session.execute(  # Result.all() returns a list, sorted in place below
        sa.select(Credential.priority, Credential.id, Tag.name, Credential.name, Credential.username,
                  credential_tag_association.c.tag_id)
        .join(credential_tag_association, credential_tag_association.c.credential_id == Credential.id)
        .join(Tag, Tag.id == credential_tag_association.c.tag_id)
    ).all())
    rows.sort()
    credentials: Dict[int, CredentialDict] = {}
    by_tag: Dict[int, List[CredentialDict]] = {}
    for priority, cred_id, tag_name, name, username, tag_id in rows:
        credential = credentials.get(cred_id)
        if credential is None:
            credential = {"id": cred_id, "name": name, "username": username, "priority": priority, "tags": []}
            credentials[cred_id] = credential
        credential["tags"].append(tag_name)
        by_tag.setdefault(tag_id, []).append(credential)
    return by_tag


def ordered_chain(device: DeviceDict, by_tag: Dict[int, List[CredentialDict]]) -> List[CredentialDict]:
    """One device's chain as the shared credential dicts of by_tag (read-only: not copies).

    Shared-tag credentials once each, (priority, id) order, the last working one first.
    """
    seen: Dict[Optional[int], CredentialDict] = {}  # looked up with the device's last credential, maybe None
    for tag_id in device["tag_ids"]:
        for credential in by_tag.get(tag_id, ()):
            seen[credential["id"]] = credential
    chain = sorted(seen.values(), key=_TRY_ORDER)
    last = seen.get(device.get("last_credential_id"))
    if last is not None and chain[0] is not last:
        chain.remove(last)
        chain.insert(0, last)
    return chain


def resolve_chains(session: Session, devices: List[DeviceDict]) -> List[DeviceDict]:
    """Attach 'credentials' (the chain) to each device dict from select_devices; returns the list.

    The chains hold the same credential dicts across devices, never a copy per device (the
    inventory turns 10,000 chains into hostvars this way, the job only reads them): read-only.
    """
    by_tag = credentials_by_tag(session) if devices else {}
    for device in devices:
        device["credentials"] = ordered_chain(device, by_tag)
    return devices


def resolve_targets(session: Session, **filters: Any) -> List[DeviceDict]:
    """select_devices + resolve_chains: the targeted devices with their (read-only) chains, in 3-6 queries."""
    return resolve_chains(session, select_devices(session, **filters))
