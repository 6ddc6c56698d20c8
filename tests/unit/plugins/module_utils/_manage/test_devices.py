# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device module's core on a real SQLite database (and netmiko's real platform list)."""

from __future__ import annotations

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("netmiko")

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._devices import (  # noqa: E402
    ensure_device,
    netmiko_platforms,
    validate_device_type,
)
from ansible_collections.netraven.netraven.plugins.module_utils._manage._tags import ensure_tag  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, Tag  # noqa: E402


def _devices(engine):
    with session_scope(engine) as session:
        return {d.hostname: (d.ip_address, d.device_type, d.port, d.enabled, d.description, [t.name for t in d.tags])
                for d in session.scalars(sa.select(Device))}


def _tag_names(engine):
    with session_scope(engine) as session:
        return sorted(session.scalars(sa.select(Tag.name)))


@pytest.fixture
def tagged(sqlite_engine):
    """The engine, with tags core, edge and site-paris."""
    for name in ("core", "edge", "site-paris"):
        ensure_tag(sqlite_engine, name)
    return sqlite_engine


def test_netmiko_platforms_are_netmikos():
    platforms = netmiko_platforms()
    assert {"cisco_ios", "arista_eos", "juniper_junos"} <= set(platforms)
    assert validate_device_type("cisco_ios") == "cisco_ios"


def test_create_with_defaults_then_idempotent(tagged):
    result = ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["site-paris", "core"])
    assert result["changed"] is True
    device = result["device"]
    assert device["id"] is not None
    assert (device["port"], device["enabled"], device["tags"]) == (22, True, ["core", "site-paris"])
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["tags"] == ["core", "site-paris"]
    again = ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core", "site-paris"])
    assert again["changed"] is False
    assert again["device"] == device
    assert _devices(tagged) == {"r1": ("192.0.2.1", "cisco_ios", 22, True, None, ["core", "site-paris"])}


def test_update_touches_only_given_fields(tagged):
    ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios", port=2222, description="lab", tags=["core"])
    result = ensure_device(tagged, "r1", enabled=False)
    assert result["changed"] is True
    assert result["diff"]["before"]["enabled"] is True
    assert result["diff"]["after"] == {"hostname": "r1", "ip_address": "192.0.2.1", "device_type": "cisco_ios", "port": 2222,
                                       "description": "lab", "enabled": False, "tags": ["core"], "jump_host": None,
                                       "transport": "ssh", "legacy_ssh": False}
    assert _devices(tagged)["r1"] == ("192.0.2.1", "cisco_ios", 2222, False, "lab", ["core"])


def test_tags_replace_add_and_clear(tagged):
    ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core"])
    assert ensure_device(tagged, "r1", tags=["edge"], purge_tags=False)["device"]["tags"] == ["core", "edge"]
    assert ensure_device(tagged, "r1", tags=["core"], purge_tags=False)["changed"] is False
    assert ensure_device(tagged, "r1", tags=["site-paris"])["device"]["tags"] == ["site-paris"]
    assert ensure_device(tagged, "r1", tags=None)["changed"] is False
    assert ensure_device(tagged, "r1", tags=[])["device"]["tags"] == []
    assert _devices(tagged)["r1"][-1] == []


def test_unknown_tags_are_refused_naming_them(tagged, db_snapshot):
    before = db_snapshot(tagged)
    with pytest.raises(ValidationError) as error:
        ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core", "lyon", "nice"])
    assert str(error.value).startswith("Unknown tags in tags: lyon, nice (")
    assert "create_tags: true" in str(error.value)
    assert db_snapshot(tagged) == before


def test_create_tags(tagged, db_snapshot):
    before = db_snapshot(tagged)
    checked = ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["lyon", "core"],
                            create_tags=True, check_mode=True)
    assert checked["created_tags"] == ["lyon"]
    assert checked["device"]["tags"] == ["core", "lyon"]
    assert db_snapshot(tagged) == before
    result = ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["lyon", "core"], create_tags=True)
    assert result["created_tags"] == ["lyon"]
    assert "lyon" in _tag_names(tagged)
    assert _devices(tagged)["r1"][-1] == ["core", "lyon"]
    assert ensure_device(tagged, "r1", tags=["lyon", "core"], create_tags=True)["created_tags"] == []


@pytest.mark.parametrize("device_type, expected", [
    ("cisco_iso", "Unknown device_type 'cisco_iso' (netmiko has no such platform): did you mean cisco_ios, "),
    ("Cisco_IOS", "Unknown device_type 'Cisco_IOS' (netmiko has no such platform): did you mean cisco_ios?"),
    ("zzzz-qqq", "Unknown device_type 'zzzz-qqq' (netmiko has no such platform): see netmiko's list of platforms"),
])
def test_unknown_device_type_names_close_matches(tagged, db_snapshot, device_type, expected):
    before = db_snapshot(tagged)
    with pytest.raises(ValidationError) as error:
        ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type=device_type)
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)
    assert db_snapshot(tagged) == before


def test_unknown_device_type_refused_on_update_too(tagged):
    ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios")
    with pytest.raises(ValidationError, match="arista_eso"):
        ensure_device(tagged, "r1", device_type="arista_eso")
    assert _devices(tagged)["r1"][1] == "cisco_ios"


def test_duplicate_ip_names_the_other_device(tagged, db_snapshot):
    ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios")
    ensure_device(tagged, "r2", ip_address="192.0.2.2", device_type="cisco_ios")
    before = db_snapshot(tagged)
    with pytest.raises(ValidationError) as error:
        ensure_device(tagged, "r3", ip_address="192.0.2.1", device_type="arista_eos")
    assert str(error.value).startswith("Duplicate ip_address 192.0.2.1 for device 'r3': device 'r1' (id ")
    with pytest.raises(ValidationError, match="device 'r2'"):
        ensure_device(tagged, "r1", ip_address="192.0.2.2")
    assert db_snapshot(tagged) == before


def test_an_address_freed_by_a_move_can_be_reused(tagged):
    ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios")
    ensure_device(tagged, "r1", ip_address="192.0.2.9")
    assert ensure_device(tagged, "r2", ip_address="192.0.2.1", device_type="cisco_ios")["changed"] is True


def test_duplicate_hostname_ignoring_case(tagged, db_snapshot):
    ensure_device(tagged, "core-1.example.net", ip_address="192.0.2.1", device_type="cisco_ios")
    before = db_snapshot(tagged)
    with pytest.raises(ValidationError) as error:
        ensure_device(tagged, "CORE-1.example.net", ip_address="192.0.2.5", device_type="cisco_ios")
    assert str(error.value).startswith("Duplicate hostname 'CORE-1.example.net': device 'core-1.example.net' (id ")
    assert db_snapshot(tagged) == before


def test_ipv6_is_normalised_so_reruns_are_idempotent(tagged):
    first = ensure_device(tagged, "r6", ip_address="2001:DB8:0::1", device_type="juniper_junos")
    assert first["device"]["ip_address"] == "2001:db8::1"
    assert ensure_device(tagged, "r6", ip_address="2001:db8:0000::0001")["changed"] is False


@pytest.mark.parametrize("kwargs, message", [
    ({"ip_address": "router.example.net", "device_type": "cisco_ios"}, "ip_address 'router.example.net' is not an IPv4 or IPv6 address"),
    ({"ip_address": "192.0.2.1", "device_type": "cisco_ios", "port": 0}, "port 0 is out of range"),
    ({"ip_address": "192.0.2.1", "device_type": "cisco_ios", "port": 65536}, "port 65536 is out of range"),
    ({"device_type": "cisco_ios"}, "Device 'r1' does not exist: ip_address is required to create it"),
    ({}, "Device 'r1' does not exist: ip_address and device_type are required to create it"),
])
def test_bad_input(tagged, db_snapshot, kwargs, message):
    before = db_snapshot(tagged)
    with pytest.raises(ValidationError) as error:
        ensure_device(tagged, "r1", **kwargs)
    assert str(error.value) == message or str(error.value).startswith(message)
    assert db_snapshot(tagged) == before


def test_check_mode_predicts_and_writes_nothing(tagged, db_snapshot):
    ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core"])
    before = db_snapshot(tagged)
    created = ensure_device(tagged, "r2", ip_address="192.0.2.2", device_type="arista_eos", check_mode=True)
    assert created["changed"] is True
    assert created["device"]["id"] is None
    assert created["device"]["port"] == 22
    updated = ensure_device(tagged, "r1", port=830, tags=["edge"], check_mode=True)
    assert updated["changed"] is True
    assert (updated["device"]["port"], updated["device"]["tags"]) == (830, ["edge"])
    assert updated["diff"]["before"]["port"] == 22
    unchanged = ensure_device(tagged, "r1", port=22, check_mode=True)
    assert unchanged["changed"] is False
    deleted = ensure_device(tagged, "r1", state="absent", check_mode=True)
    assert deleted["changed"] is True
    assert db_snapshot(tagged) == before


def test_absent_deletes_and_is_idempotent(tagged):
    ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core"])
    result = ensure_device(tagged, "r1", state="absent")
    assert result["changed"] is True
    assert result["device"] == {}
    assert result["diff"]["before"]["hostname"] == "r1"
    assert _devices(tagged) == {}
    assert _tag_names(tagged) == ["core", "edge", "site-paris"]
    assert ensure_device(tagged, "r1", state="absent")["changed"] is False


def test_absent_removes_the_devices_history_with_it(tagged):
    from ansible_collections.netraven.netraven.plugins.module_utils._db._models import DeviceConfiguration

    device_id = ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios")["device"]["id"]
    with session_scope(tagged) as session:
        session.add(DeviceConfiguration(device_id=device_id, config_data="hostname r1", data_hash="0" * 64))
    ensure_device(tagged, "r1", state="absent")
    with session_scope(tagged) as session:
        assert session.scalars(sa.select(DeviceConfiguration)).all() == []


def test_check_mode_only_warns_about_unknown_tags(tagged, db_snapshot):
    before = db_snapshot(tagged)
    result = ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core", "lyon"], check_mode=True)
    assert result["changed"] is True
    assert result["device"]["tags"] == ["core", "lyon"]
    assert result["created_tags"] == []
    assert result["warnings"] == ["Unknown tag in tags: lyon; check mode assumes an earlier task creates it, "
                                  "a real run fails unless it exists or create_tags is true"]
    assert db_snapshot(tagged) == before


def test_missing_netmiko_is_a_clear_error(tagged, monkeypatch):
    import sys

    from ansible_collections.netraven.netraven.plugins.module_utils._manage import _devices
    from ansible_collections.netraven.netraven.plugins.module_utils._errors import MissingLibraryError

    monkeypatch.setattr(_devices, "_PLATFORMS", [])
    monkeypatch.setitem(sys.modules, "netmiko.ssh_dispatcher", None)
    with pytest.raises(MissingLibraryError, match="'netmiko' is required on the controller to validate device_type"):
        ensure_device(tagged, "r1", ip_address="192.0.2.1", device_type="cisco_ios")


@pytest.mark.parametrize("hostname", ["r1\nr2", "r1\x00", "r 1", "r1,r2", "r1\tx", "r1\x1b[31m", "a" * 254])
def test_hostnames_an_inventory_or_a_log_file_would_break_on_are_refused(sqlite_engine, hostname):
    with pytest.raises(ValidationError) as raised:
        ensure_device(sqlite_engine, hostname, ip_address="192.0.2.9", device_type="cisco_ios")
    assert "hostname" in str(raised.value) and "\n" not in str(raised.value)
    assert _devices(sqlite_engine) == {}


def test_a_253_character_hostname_is_accepted(sqlite_engine):
    name = ("a" * 62 + ".") * 4 + "a"
    assert len(name) == 253
    assert ensure_device(sqlite_engine, name, ip_address="192.0.2.9", device_type="cisco_ios")["changed"]


@pytest.mark.parametrize("hostname, reason", [
    ("../../escaped-host", "'/'"), ("/etc/haproxy/haproxy", "'/'"), ("a\\b", "'\\\\'"), ("r1..x", "'..'"),
    (".hidden", "starts with '.'"), ("-x", "starts with '-'"), ("r1\x7f", "control character"),
])
def test_hostnames_that_would_become_unsafe_paths_are_refused(sqlite_engine, db_snapshot, hostname, reason):
    before = db_snapshot(sqlite_engine)
    with pytest.raises(ValidationError) as raised:
        ensure_device(sqlite_engine, hostname, ip_address="192.0.2.9", device_type="cisco_ios")
    message = str(raised.value)
    assert "hostname" in message and reason in message and "\n" not in message, message
    assert db_snapshot(sqlite_engine) == before


@pytest.mark.parametrize("hostname", ["localhost", "127.0.0.1", "::1", "LocalHost"])
def test_ansibles_implicit_localhost_names_are_refused(sqlite_engine, db_snapshot, hostname):
    before = db_snapshot(sqlite_engine)
    with pytest.raises(ValidationError, match="is reserved: Ansible's implicit localhost") as raised:
        ensure_device(sqlite_engine, hostname, ip_address="192.0.2.9", device_type="cisco_ios")
    assert repr(hostname) in str(raised.value)
    assert db_snapshot(sqlite_engine) == before
    # Check mode is refused the same way, and a host named like an address that is not localhost is fine.
    with pytest.raises(ValidationError, match="is reserved"):
        ensure_device(sqlite_engine, hostname, ip_address="192.0.2.9", device_type="cisco_ios", check_mode=True)
    assert ensure_device(sqlite_engine, "127.0.0.2", ip_address="192.0.2.9", device_type="cisco_ios")["changed"]


def test_a_row_with_a_reserved_or_unsafe_name_written_by_other_tools_can_still_be_removed(sqlite_engine):
    with session_scope(sqlite_engine) as session:
        session.add_all([Device(hostname="localhost", ip_address="192.0.2.1", device_type="cisco_ios"),
                         Device(hostname="../x", ip_address="192.0.2.2", device_type="cisco_ios")])
    for hostname in ("localhost", "../x"):
        assert ensure_device(sqlite_engine, hostname, state="absent")["changed"] is True
    assert _devices(sqlite_engine) == {}
