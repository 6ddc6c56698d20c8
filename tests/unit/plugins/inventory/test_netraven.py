# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin in-process on a real SQLite database: which files it claims, what it
adds to the inventory, and that every bad input is a one-line, password-free AnsibleParserError.

Options are handed to the plugin directly; tests/integration/test_inventory*.py run the real
ansible-inventory and ansible-playbook over configuration files, caches and both backends.
"""

from __future__ import annotations

from unittest import mock

import pytest

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader

from ansible_collections.netraven.netraven.plugins.inventory.netraven import InventoryModule

sa = pytest.importorskip("sqlalchemy")

PASSWORD = "Un1tS3cretPw"
OPTIONS = {"db_url": None, "job_id": None, "tags": [], "include_disabled": False, "cache": False,
           "strict": False, "compose": {}, "groups": {}, "keyed_groups": []}


@pytest.fixture
def seeded_url(sqlite_db_url):
    """The tag guide's devices plus a tagless device, a device nobody has a credential for, a disabled one."""
    from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
        Credential,
        Device,
        Job,
        Tag,
        credential_tag_association,
        device_tag_association,
        job_tags,
    )

    engine = sa.create_engine(sqlite_db_url)
    tags = ["cisco", "juniper", "datacenter_a", "datacenter_b", "core", "access", "lab"]
    with engine.begin() as conn:
        conn.execute(sa.insert(Tag), [{"id": i, "name": name} for i, name in enumerate(tags, 1)])
        conn.execute(sa.insert(Credential), [
            {"id": 1, "name": "cisco_admin", "username": "cisco_admin", "password": "ct1", "priority": 10},
            {"id": 2, "name": "juniper_admin", "username": "juniper_admin", "password": "ct2", "priority": 20},
            {"id": 3, "name": "backup_admin", "username": "backup_admin", "password": "ct3", "priority": 30},
        ])
        conn.execute(sa.insert(credential_tag_association), [
            {"credential_id": 1, "tag_id": 1}, {"credential_id": 2, "tag_id": 2},
            {"credential_id": 3, "tag_id": 3}, {"credential_id": 3, "tag_id": 4}])
        conn.execute(sa.insert(Device), [dict({"port": 22, "enabled": True, "last_credential_id": None}, **row) for row in [
            {"id": 1, "hostname": "core-switch-a", "ip_address": "192.0.2.1", "device_type": "cisco_ios", "last_credential_id": 3},
            {"id": 2, "hostname": "access-switch-b", "ip_address": "192.0.2.2", "device_type": "cisco_ios", "port": 2222},
            {"id": 3, "hostname": "router-c", "ip_address": "192.0.2.3", "device_type": "juniper_junos"},
            {"id": 4, "hostname": "lab-1", "ip_address": "192.0.2.4", "device_type": "arista_eos"},
            {"id": 5, "hostname": "bare", "ip_address": "192.0.2.5", "device_type": "arista_eos"},
            {"id": 6, "hostname": "retired", "ip_address": "192.0.2.6", "device_type": "cisco_ios", "enabled": False},
        ]])
        conn.execute(sa.insert(device_tag_association), [
            {"device_id": d, "tag_id": t} for d, t in [(1, 3), (1, 1), (1, 5), (2, 4), (2, 1), (2, 6), (3, 3), (3, 2), (4, 7), (6, 1)]])
        conn.execute(sa.insert(Job), [{"id": 1, "name": "dc-b"}])
        conn.execute(sa.insert(job_tags), [{"job_id": 1, "tag_id": 4}])
    engine.dispose()
    return sqlite_db_url


def run_plugin(tmp_path, **options):
    """Parse with the given options; returns (inventory, warnings)."""
    plugin = InventoryModule()
    opts = dict(OPTIONS, **options)
    plugin.get_option = opts.__getitem__
    plugin._read_config_data = lambda path: opts  # pylint: disable=protected-access
    plugin.display = mock.Mock()
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(tmp_path / "test.netraven.yml"), cache=False)
    return inventory, [call.args[0] for call in plugin.display.warning.call_args_list]


def hosts_of(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


@pytest.mark.parametrize("name, claimed", [
    ("inventory.netraven.yml", True), ("netraven.yaml", True), ("site_a.netraven.yaml", True),
    ("netraven.yml.bak", False), ("inventory.yml", False), ("netraven.json", False),
])
def test_verify_file_claims_only_netraven_yaml_files(tmp_path, name, claimed):
    path = tmp_path / name
    path.write_text("plugin: netraven.netraven.netraven\n")
    assert InventoryModule().verify_file(str(path)) is claimed


def test_verify_file_needs_an_existing_file(tmp_path):
    assert not InventoryModule().verify_file(str(tmp_path / "missing.netraven.yml"))


def test_hosts_hostvars_and_groups(tmp_path, seeded_url):
    inventory, warnings = run_plugin(tmp_path, db_url=seeded_url)
    assert sorted(inventory.hosts) == ["access-switch-b", "bare", "core-switch-a", "lab-1", "router-c"]
    core = inventory.hosts["core-switch-a"].vars
    assert core["ansible_host"] == "192.0.2.1"
    assert core["ansible_port"] == 22
    assert core["netraven_device_id"] == 1
    assert core["netraven_device_type"] == "cisco_ios"
    assert core["netraven_tags"] == ["cisco", "core", "datacenter_a"]
    # backup_admin logged in last time: it comes first.
    assert core["netraven_credentials"] == [
        {"id": 3, "username": "backup_admin", "priority": 30, "tags": ["datacenter_a", "datacenter_b"]},
        {"id": 1, "username": "cisco_admin", "priority": 10, "tags": ["cisco"]},
    ]
    assert "ansible_connection" not in core
    assert inventory.hosts["access-switch-b"].vars["ansible_port"] == 2222
    assert [c["username"] for c in inventory.hosts["router-c"].vars["netraven_credentials"]] == ["juniper_admin", "backup_admin"]
    assert hosts_of(inventory, "tag_cisco") == ["access-switch-b", "core-switch-a"]
    assert hosts_of(inventory, "tag_lab") == ["lab-1"]
    assert hosts_of(inventory, "netraven_no_credentials") == ["bare", "lab-1"]
    assert warnings == ["netraven.netraven.netraven: 2 of 5 devices have no credential chain (no credential shares a tag "
                        "with them); they are in group netraven_no_credentials"]


def test_no_warning_when_every_device_has_a_chain(tmp_path, seeded_url):
    inventory, warnings = run_plugin(tmp_path, db_url=seeded_url, tags=["cisco"])
    assert sorted(inventory.hosts) == ["access-switch-b", "core-switch-a"]
    assert "netraven_no_credentials" not in inventory.groups
    assert warnings == []


def test_filters_tags_job_and_disabled(tmp_path, seeded_url):
    assert sorted(run_plugin(tmp_path, db_url=seeded_url, tags=["juniper", "core"])[0].hosts) == ["core-switch-a", "router-c"]
    assert sorted(run_plugin(tmp_path, db_url=seeded_url, job_id=1)[0].hosts) == ["access-switch-b"]
    with_disabled = run_plugin(tmp_path, db_url=seeded_url, tags=["cisco"], include_disabled=True)[0]
    assert sorted(with_disabled.hosts) == ["access-switch-b", "core-switch-a", "retired"]


def test_db_url_from_environment(tmp_path, seeded_url, monkeypatch):
    monkeypatch.setenv("NETRAVEN_DB_URL", seeded_url)
    assert "router-c" in run_plugin(tmp_path)[0].hosts


@pytest.mark.parametrize("case", ["unreachable", "malformed", "bad_port", "unmigrated", "unknown_job", "unknown_tag"])
def test_bad_input_is_a_one_line_parser_error_without_password(tmp_path, seeded_url, case):
    options = {
        "unreachable": {"db_url": "postgresql+psycopg2://netraven:%s@127.0.0.1:1/netraven" % PASSWORD},
        "malformed": {"db_url": "netraven:%s@db.example.com/netraven" % PASSWORD},
        "bad_port": {"db_url": "postgresql+psycopg2://netraven:%s@127.0.0.1:port/netraven" % PASSWORD},
        "unmigrated": {"db_url": "sqlite:///%s" % (tmp_path / "empty.db")},
        "unknown_job": {"db_url": seeded_url, "job_id": 99},
        "unknown_tag": {"db_url": seeded_url, "tags": ["cisco", "no-such-tag"]},
    }[case]
    expected = {
        "unreachable": "is unavailable",
        "malformed": "Invalid database URL",
        "bad_port": "Invalid database URL",
        "unmigrated": "has no NetRaven schema",
        "unknown_job": "Job 99 does not exist in the NetRaven database",
        "unknown_tag": "Unknown tag: no-such-tag",
    }[case]
    if case == "unreachable":
        pytest.importorskip("psycopg2")
    with pytest.raises(AnsibleParserError) as error:
        run_plugin(tmp_path, **options)
    message = str(error.value)
    assert message.startswith("netraven.netraven.netraven: ")
    assert expected in message
    assert "\n" not in message.strip()
    assert PASSWORD not in message
    assert error.value.__cause__ is None


def test_rows_named_like_ansibles_localhost_are_left_out_with_a_warning(tmp_path, seeded_url):
    # Written by another tool (the device module refuses these names): they would take over delegate_to: localhost.
    from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, device_tag_association

    engine = sa.create_engine(seeded_url)
    with engine.begin() as conn:
        conn.execute(sa.insert(Device), [
            {"id": 10 + index, "hostname": name, "ip_address": "192.0.2.%d" % (10 + index), "device_type": "cisco_ios",
             "port": 22, "enabled": True} for index, name in enumerate(["localhost", "127.0.0.1", "::1"])])
        conn.execute(sa.insert(device_tag_association), [{"device_id": 10, "tag_id": 1}])
    engine.dispose()
    inventory, warnings = run_plugin(tmp_path, db_url=seeded_url)
    assert sorted(inventory.hosts) == ["access-switch-b", "bare", "core-switch-a", "lab-1", "router-c"]
    assert hosts_of(inventory, "tag_cisco") == ["access-switch-b", "core-switch-a"]
    for device_id, name in ((10, "localhost"), (11, "127.0.0.1"), (12, "::1")):
        assert ("netraven.netraven.netraven: device %r (id %d) is not in the inventory: its name is Ansible's implicit "
                "localhost" % (name, device_id)) in "\n".join(warnings)
    assert warnings[-1].startswith("netraven.netraven.netraven: 2 of 5 devices have no credential chain")
