# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jump hosts and the way a device is reached (jump_host, transport, legacy_ssh) on a real SQLite database."""

from __future__ import annotations

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")
pytest.importorskip("netmiko")

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._credentials import ensure_credential  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._devices import ensure_device  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._jump_hosts import ensure_jump_host  # noqa: E402


@pytest.fixture
def engine(sqlite_engine, unit_key):
    """The engine with two credentials, bastion-login and inner-login."""
    for name in ("bastion-login", "inner-login"):
        ensure_credential(sqlite_engine, lambda: secret_box_for(sqlite_engine), name=name, username="jump",
                          password="Jump-Pa55-" + name)
    return sqlite_engine


def test_check_mode_create_idempotent_update_and_remove(engine, db_snapshot):
    before = db_snapshot(engine)
    checked = ensure_jump_host(engine, "paris", host="bastion.par.example.com", credential="bastion-login", check_mode=True)
    assert checked["changed"] is True and checked["jump_host"]["id"] is None
    assert db_snapshot(engine) == before
    created = ensure_jump_host(engine, "paris", host="bastion.par.example.com", credential="bastion-login")
    assert created["jump_host"] == dict(checked["jump_host"], id=created["jump_host"]["id"])
    assert created["diff"] == {"before": {}, "after": {"name": "paris", "host": "bastion.par.example.com", "port": 22,
                                                       "credential": "bastion-login", "via": None}}
    assert ensure_jump_host(engine, "paris", host="bastion.par.example.com", credential="bastion-login")["changed"] is False
    moved = ensure_jump_host(engine, "paris", port=2222, credential="inner-login")
    assert (moved["changed"], moved["jump_host"]["port"], moved["jump_host"]["credential"]) == (True, 2222, "inner-login")
    assert ensure_jump_host(engine, "paris", state="absent", check_mode=True)["changed"] is True
    assert ensure_jump_host(engine, "paris", state="absent")["changed"] is True
    assert ensure_jump_host(engine, "paris", state="absent")["changed"] is False


def test_via_chains_refuse_loops_and_removal_in_use_names_the_users(engine, db_snapshot):
    ensure_jump_host(engine, "outer", host="192.0.2.1", credential="bastion-login")
    ensure_jump_host(engine, "middle", host="10.0.0.1", credential="inner-login", via="outer")
    ensure_jump_host(engine, "inner", host="10.1.0.1", credential="inner-login", via="middle")
    before = db_snapshot(engine)
    with pytest.raises(ValidationError, match=r"Jump host 'outer' via 'inner' would be a loop \(outer -> inner -> middle -> outer\)"):
        ensure_jump_host(engine, "outer", via="inner")
    with pytest.raises(ValidationError, match="Jump host 'outer' cannot go via itself"):
        ensure_jump_host(engine, "outer", via="outer")
    ensure_device(engine, "r1", ip_address="10.1.1.1", device_type="cisco_ios", jump_host="inner")
    with pytest.raises(ValidationError, match=r"Jump host 'inner' is in use by device\(s\) 'r1': move them"):
        ensure_jump_host(engine, "inner", state="absent", check_mode=True)
    with pytest.raises(ValidationError, match=r"Jump host 'middle' is in use by jump host\(s\) 'inner'"):
        ensure_jump_host(engine, "middle", state="absent")
    assert ensure_jump_host(engine, "inner", via="")["jump_host"]["via"] is None
    assert ensure_jump_host(engine, "inner", via="")["changed"] is False
    assert db_snapshot(engine) != before


@pytest.mark.parametrize("kwargs, message", [
    ({"credential": "bastion-login"}, "Jump host 'j' does not exist: host is required to create it"),
    ({"host": "192.0.2.9"}, "Jump host 'j' does not exist: credential is required to create it"),
    ({"host": "192.0.2.9", "credential": "nobody"}, "Jump host 'j': unknown credential 'nobody'"),
    ({"host": "192.0.2.9", "credential": "bastion-login", "via": "nowhere"}, "Jump host 'j': unknown via 'nowhere'"),
    ({"host": "admin@192.0.2.9", "credential": "bastion-login"}, "host 'admin@192.0.2.9' contains '@'"),
    ({"host": "192.0.2.9", "port": 0, "credential": "bastion-login"}, "port 0 is out of range"),
])
def test_bad_input_is_one_line_and_writes_nothing(engine, db_snapshot, kwargs, message):
    before = db_snapshot(engine)
    with pytest.raises(ValidationError) as error:
        ensure_jump_host(engine, "j", **kwargs)
    assert str(error.value).startswith(message)
    assert db_snapshot(engine) == before


def test_device_reach_options_are_managed_and_checked(engine, db_snapshot):
    ensure_jump_host(engine, "paris", host="192.0.2.1", credential="bastion-login")
    created = ensure_device(engine, "r1", ip_address="10.0.0.1", device_type="cisco_ios", jump_host="paris", legacy_ssh=True)
    assert {k: created["device"][k] for k in ("jump_host", "transport", "legacy_ssh")} == {
        "jump_host": "paris", "transport": "ssh", "legacy_ssh": True}
    assert ensure_device(engine, "r1", jump_host="paris", legacy_ssh=True)["changed"] is False
    direct = ensure_device(engine, "r1", jump_host="")
    assert (direct["diff"]["before"]["jump_host"], direct["diff"]["after"]["jump_host"]) == ("paris", None)
    telnet = ensure_device(engine, "r2", ip_address="10.0.0.2", device_type="cisco_ios", transport="telnet", port=23)
    assert telnet["device"]["transport"] == "telnet"
    before = db_snapshot(engine)
    for kwargs, message in (
            ({"hostname": "r1", "jump_host": "lyon"}, "Device 'r1': unknown jump_host 'lyon'"),
            ({"hostname": "r2", "jump_host": "paris"}, "Device 'r2': transport telnet cannot go through jump_host 'paris'"),
            ({"hostname": "r3", "ip_address": "10.0.0.3", "device_type": "mikrotik_routeros", "transport": "telnet"},
             "transport telnet: netmiko has no telnet driver for device_type 'mikrotik_routeros'"),
            ({"hostname": "r1", "transport": "serial"}, "transport must be one of ssh, telnet, not 'serial'")):
        with pytest.raises(ValidationError) as error:
            ensure_device(engine, **kwargs)
        assert str(error.value).startswith(message), str(error.value)
    assert db_snapshot(engine) == before


def test_check_mode_warns_about_what_an_earlier_task_would_create(engine, db_snapshot):
    before = db_snapshot(engine)
    planned = ensure_jump_host(engine, "lyon", host="10.2.0.1", credential="lyon-login", via="paris", check_mode=True)
    assert planned["changed"] is True and len(planned["warnings"]) == 2
    assert "unknown credential 'lyon-login'" in planned["warnings"][0] and "check mode assumes" in planned["warnings"][0]
    device = ensure_device(engine, "r9", ip_address="10.2.0.9", device_type="cisco_ios", jump_host="lyon", check_mode=True)
    assert device["changed"] is True and "unknown jump_host 'lyon'" in device["warnings"][0]
    assert db_snapshot(engine) == before
