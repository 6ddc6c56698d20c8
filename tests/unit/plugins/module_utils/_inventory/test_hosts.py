# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolved devices as inventory (docs/architecture.md: "The path of one device"): group names, hostvars, the cacheable snapshot."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._errors import SchemaNotReadyError
from ansible_collections.netraven.netraven.plugins.module_utils._inventory._hosts import (
    CREDENTIAL_KEYS,
    HOSTVAR_NAMES,
    NO_CREDENTIALS_GROUP,
    count_without_credentials,
    is_valid_snapshot,
    iter_hosts,
    load_snapshot,
    snapshot_from_devices,
    source_fingerprint,
    tag_group_name,
)

# ansible-core's own test for a valid group (and variable) name.
ANSIBLE_INVALID = re.compile(r"^[\d\W]|[^\w]")


@pytest.mark.parametrize("tag, group", [
    ("core", "tag_core"),
    ("datacenter-a", "tag_datacenter_a"),
    ("10.0.0.0/8", "tag_10_0_0_0_8"),
    ("site a.b", "tag_site_a_b"),
    ("{{ lookup('pipe', 'id') }}", "tag____lookup__pipe____id_____"),
    ("", "tag_"),
])
def test_tag_group_names_are_valid_ansible_group_names(tag, group):
    assert tag_group_name(tag) == group
    assert not ANSIBLE_INVALID.search(group)


def _device(hostname, device_id, tags, chain):
    return {"hostname": hostname, "ip_address": "192.0.2.%d" % device_id, "port": 22, "id": device_id,
            "device_type": "cisco_ios", "tags": tags, "credentials": chain}


CISCO = {"id": 1, "name": "cisco_admin", "username": "cisco_admin", "priority": 10, "tags": ["cisco"]}
BACKUP = {"id": 3, "name": "backup_admin", "username": "backup_admin", "priority": 30, "tags": ["dc_a", "dc_b"]}


def test_snapshot_round_trip_gives_design_hostvars_and_groups():
    devices = [_device("a", 1, ["cisco", "dc_a"], [CISCO, BACKUP]), _device("b", 2, ["dc_b"], [BACKUP]),
               _device("lab", 3, ["lab-x"], [])]
    snapshot = json.loads(json.dumps(snapshot_from_devices(devices, source="src")))  # what a JSON cache returns
    assert is_valid_snapshot(snapshot, "src")
    assert len(snapshot["credentials"]) == 2  # each credential once, however many chains hold it
    hosts = list(iter_hosts(snapshot))
    assert [h[0] for h in hosts] == ["a", "b", "lab"]
    name, hostvars, groups = hosts[0]
    assert tuple(hostvars) == HOSTVAR_NAMES
    assert hostvars == {
        "ansible_host": "192.0.2.1", "ansible_port": 22, "netraven_device_id": 1, "netraven_device_type": "cisco_ios",
        "netraven_tags": ["cisco", "dc_a"],
        "netraven_credentials": [{"id": 1, "username": "cisco_admin", "priority": 10, "tags": ["cisco"]},
                                 {"id": 3, "username": "backup_admin", "priority": 30, "tags": ["dc_a", "dc_b"]}],
    }
    assert all(tuple(c) == CREDENTIAL_KEYS for c in hostvars["netraven_credentials"])
    assert groups == ["tag_cisco", "tag_dc_a"]
    assert hosts[2][2] == ["tag_lab_x", NO_CREDENTIALS_GROUP]
    # Chains share their credential dicts instead of copying them per host.
    assert hosts[0][1]["netraven_credentials"][1] is hosts[1][1]["netraven_credentials"][0]
    assert count_without_credentials(snapshot) == 1


def test_snapshot_validity_checks_shape_and_source():
    snapshot = snapshot_from_devices([], source="src")
    assert is_valid_snapshot(snapshot)
    assert not is_valid_snapshot(snapshot, "other")
    assert not is_valid_snapshot(dict(snapshot, version=0))
    assert not is_valid_snapshot([])
    assert not is_valid_snapshot(None)


def test_source_fingerprint_masks_the_password_and_normalises_tags():
    first = source_fingerprint("postgresql://nr:Pa55word@db/netraven", 7, ["b", "a", "a"], False)
    assert "Pa55word" not in first
    assert first == source_fingerprint("postgresql://nr:Pa55word@db/netraven", 7, ["a", "b"], 0)
    assert first != source_fingerprint("postgresql://nr:Pa55word@db/netraven", 7, ["a"], False)


def test_load_snapshot_refuses_an_unmigrated_database(tmp_path):
    with pytest.raises(SchemaNotReadyError, match="has no NetRaven schema"):
        load_snapshot("sqlite:///%s" % (tmp_path / "empty.db"))


def test_load_snapshot_reads_the_database(sqlite_db_url):
    snapshot = load_snapshot(sqlite_db_url)
    assert snapshot["devices"] == [] and snapshot["credentials"] == []
    assert is_valid_snapshot(snapshot, source_fingerprint(sqlite_db_url))


def _reach_device(hostname, jump_host=None, transport="ssh", legacy_ssh=False):
    return {"hostname": hostname, "ip_address": "192.0.2.1", "port": 22, "id": 1, "device_type": "cisco_ios",
            "tags": [], "credentials": [], "jump_host": jump_host, "transport": transport, "legacy_ssh": legacy_ssh}


def test_the_databases_way_to_a_device_comes_as_group_variables_not_host_variables():
    """Host variables would outrank every group_vars file; inventory group variables are outranked by all of them."""
    from ansible_collections.netraven.netraven.plugins.module_utils._inventory._hosts import reach_groups

    snapshot = snapshot_from_devices([_reach_device("r1", "par-bastion"), _reach_device("r2", "par.bastion", "telnet"),
                                      _reach_device("r3", legacy_ssh=True), _reach_device("r4")])
    groups = reach_groups(snapshot)
    assert groups["netraven_transport_telnet"] == {"netraven_transport": "telnet"}
    assert groups["netraven_legacy_ssh"] == {"netraven_legacy_ssh": True}
    # Every host shows the defaults (the group all, which every other group outranks); an empty estate sets none.
    assert groups["all"] == {"netraven_transport": "ssh", "netraven_legacy_ssh": False}
    assert reach_groups(snapshot_from_devices([])) == {}
    jump_groups = {group: variables["netraven_jump_host"] for group, variables in groups.items() if group.startswith("netraven_jump_")}
    # Two names that sanitise alike keep a group each, and every group name is valid for Ansible.
    assert sorted(jump_groups.values()) == ["par-bastion", "par.bastion"] and len(jump_groups) == 2
    assert not [group for group in groups if ANSIBLE_INVALID.search(group)]
    hosts = {name: (hostvars, host_groups) for name, hostvars, host_groups in iter_hosts(snapshot)}
    assert all(set(hostvars) == set(HOSTVAR_NAMES) for hostvars, _g in hosts.values())
    assert hosts["r2"][1][-1] == "netraven_transport_telnet" and "netraven_legacy_ssh" in hosts["r3"][1]
    assert [group for group in hosts["r4"][1] if group.startswith("netraven_") and group != NO_CREDENTIALS_GROUP] == []
