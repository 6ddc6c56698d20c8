# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credential chains (docs/architecture.md: "Where each rule lives") on a real SQLite database: membership, order, last-working-first, filters.

The statement-count test on both backends and at 2,000 devices is in
tests/integration/test_inventory_resolution.py.
"""

from __future__ import annotations

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._inventory._chains import (
    credentials_by_tag,
    ordered_chain,
    resolve_chains,
    resolve_targets,
    select_devices,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Device, Job, Tag

CIPHERTEXT = "gAAAAAB-not-a-real-token-but-never-selected"


def build(engine, credentials, devices, jobs=()):
    """Seed with the ORM: credentials (name, priority, tags), devices (hostname, tags, last, enabled), jobs (name, tags)."""
    ids = {}
    with session_scope(engine) as session:
        tags = {}

        def tag(name):
            if name not in tags:
                tags[name] = Tag(name=name)
            return tags[name]

        creds = {}
        for name, priority, tag_names in credentials:
            creds[name] = Credential(name=name, username="u_" + name, password=CIPHERTEXT, priority=priority,
                                     tags=[tag(t) for t in tag_names])
            session.add(creds[name])
        session.flush()
        for index, (hostname, tag_names, last, enabled) in enumerate(devices):
            session.add(Device(hostname=hostname, ip_address="192.0.2.%d" % (index + 1), device_type="cisco_ios",
                               enabled=enabled, tags=[tag(t) for t in tag_names],
                               last_credential_id=creds[last].id if last else None))
        for name, tag_names in jobs:
            job = Job(name=name, tags=[tag(t) for t in tag_names])
            session.add(job)
            session.flush()
            ids[name] = job.id
        ids.update({name: cred.id for name, cred in creds.items()})
    return ids


TAG_GUIDE_CREDENTIALS = [
    ("cisco_admin", 10, ["cisco"]),
    ("juniper_admin", 20, ["juniper"]),
    ("backup_admin", 30, ["datacenter_a", "datacenter_b"]),
]
TAG_GUIDE_DEVICES = [
    ("core-switch-a", ["datacenter_a", "cisco", "core"], None, True),
    ("access-switch-b", ["datacenter_b", "cisco", "access"], None, True),
    ("router-c", ["datacenter_a", "juniper"], None, True),
]


def chains(engine, **filters):
    with session_scope(engine) as session:
        return {d["hostname"]: [c["name"] for c in d["credentials"]] for d in resolve_targets(session, **filters)}


def test_tag_guide_chains(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, TAG_GUIDE_DEVICES)
    assert chains(sqlite_engine) == {
        "core-switch-a": ["cisco_admin", "backup_admin"],
        "access-switch-b": ["cisco_admin", "backup_admin"],
        "router-c": ["juniper_admin", "backup_admin"],
    }


def test_devices_come_sorted_by_hostname_with_sorted_tags(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, TAG_GUIDE_DEVICES)
    with session_scope(sqlite_engine) as session:
        devices = select_devices(session)
    assert [d["hostname"] for d in devices] == ["access-switch-b", "core-switch-a", "router-c"]
    assert devices[1]["tags"] == ["cisco", "core", "datacenter_a"]


def test_credential_sharing_several_tags_appears_once(sqlite_engine):
    build(sqlite_engine, [("wide", 50, ["a", "b", "c"]), ("narrow", 60, ["c"])], [("dev", ["a", "b", "c"], None, True)])
    assert chains(sqlite_engine) == {"dev": ["wide", "narrow"]}


def test_order_is_priority_then_id(sqlite_engine):
    # Inserted (ids) in the order late, first, tie_low_id, tie_high_id.
    build(sqlite_engine, [("late", 90, ["t"]), ("first", 5, ["t"]), ("tie_low_id", 50, ["t"]), ("tie_high_id", 50, ["t"])],
          [("dev", ["t"], None, True)])
    assert chains(sqlite_engine) == {"dev": ["first", "tie_low_id", "tie_high_id", "late"]}


def test_last_working_credential_moves_to_front(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, [
        ("core-switch-a", ["datacenter_a", "cisco"], "backup_admin", True),
        ("router-c", ["datacenter_a", "juniper"], "juniper_admin", True),
    ])
    assert chains(sqlite_engine) == {
        "core-switch-a": ["backup_admin", "cisco_admin"],
        "router-c": ["juniper_admin", "backup_admin"],
    }


def test_last_credential_outside_the_chain_is_ignored(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, [("router-c", ["datacenter_a", "juniper"], "cisco_admin", True)])
    assert chains(sqlite_engine) == {"router-c": ["juniper_admin", "backup_admin"]}


def test_device_sharing_no_tag_has_an_empty_chain(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, [("lab-1", ["lab"], None, True), ("bare", [], None, True)])
    assert chains(sqlite_engine) == {"bare": [], "lab-1": []}


def test_tags_select_devices_with_any_of_them(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, TAG_GUIDE_DEVICES)
    assert sorted(chains(sqlite_engine, tags=["core", "juniper"])) == ["core-switch-a", "router-c"]


def test_unknown_tags_are_one_line_errors_naming_them(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, TAG_GUIDE_DEVICES)
    with pytest.raises(ValidationError) as error:
        chains(sqlite_engine, tags=["cisco", "nope", "gone"])
    assert str(error.value) == "Unknown tags: gone, nope"


def test_job_selects_devices_by_its_tags(sqlite_engine):
    ids = build(sqlite_engine, TAG_GUIDE_CREDENTIALS, TAG_GUIDE_DEVICES, jobs=[("nightly", ["datacenter_b"]), ("empty", [])])
    assert chains(sqlite_engine, job_id=ids["nightly"]) == {"access-switch-b": ["cisco_admin", "backup_admin"]}
    assert chains(sqlite_engine, job_id=ids["empty"]) == {}
    assert sorted(chains(sqlite_engine, job_id=ids["nightly"], tags=["juniper"])) == ["access-switch-b", "router-c"]


def test_unknown_job_is_an_error(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, TAG_GUIDE_DEVICES)
    with pytest.raises(ValidationError, match="^Job 4242 does not exist in the NetRaven database$"):
        chains(sqlite_engine, job_id=4242)


def test_disabled_devices_only_on_request(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, TAG_GUIDE_DEVICES[:2] + [("router-c", ["juniper"], None, False)])
    assert sorted(chains(sqlite_engine)) == ["access-switch-b", "core-switch-a"]
    assert sorted(chains(sqlite_engine, include_disabled=True)) == ["access-switch-b", "core-switch-a", "router-c"]


def test_hostname_and_id_filters(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, TAG_GUIDE_DEVICES)
    with session_scope(sqlite_engine) as session:
        router_id = select_devices(session, hostnames=["router-c"])[0]["id"]
    assert list(chains(sqlite_engine, device_ids=[router_id])) == ["router-c"]


def test_chains_carry_no_password(sqlite_engine):
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, TAG_GUIDE_DEVICES)
    with session_scope(sqlite_engine) as session:
        devices = resolve_targets(session)
    assert CIPHERTEXT not in repr(devices)
    assert set(devices[0]["credentials"][0]) == {"id", "name", "username", "priority", "tags"}


def test_chains_share_the_credential_dicts(sqlite_engine):
    """No copy per device: the job and the inventory only read the chains."""
    build(sqlite_engine, TAG_GUIDE_CREDENTIALS, TAG_GUIDE_DEVICES)
    with session_scope(sqlite_engine) as session:
        by_tag = credentials_by_tag(session)
        shared = resolve_chains(session, select_devices(session))
    # access-switch-b and core-switch-a both start with cisco_admin: one shared dict.
    assert shared[0]["credentials"][0] is shared[1]["credentials"][0]
    assert [c["id"] for c in shared[0]["credentials"]] == [c["id"] for c in ordered_chain(shared[0], by_tag)]
