# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netraven.netraven.device through AnsibleModule: options, aliases, one-line failures."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("netmiko")

from ansible_collections.netraven.netraven.plugins.modules import device  # noqa: E402


def test_create_update_and_idempotence(run_module, sqlite_db_url):
    args = {"db_url": sqlite_db_url, "name": "r1", "ip_address": "192.0.2.1", "device_type": "cisco_ios",
            "tags": ["core"], "create_tags": True}
    rc, result = run_module(device, args)
    assert (rc, result["changed"], result["created_tags"]) == (0, True, ["core"])
    assert result["device"]["hostname"] == "r1" and result["device"]["port"] == 22
    rc, result = run_module(device, args)
    assert (rc, result["changed"]) == (0, False)
    rc, result = run_module(device, {"db_url": sqlite_db_url, "hostname": "r1", "port": "830", "_ansible_diff": True})
    assert (rc, result["changed"], result["device"]["port"]) == (0, True, 830)
    assert (result["diff"]["before"]["port"], result["diff"]["after"]["port"]) == (22, 830)


def test_unknown_device_type_fails_in_one_line(run_module, sqlite_db_url):
    rc, result = run_module(device, {"db_url": sqlite_db_url, "hostname": "r1", "ip_address": "192.0.2.1",
                                     "device_type": "cisco_iso"})
    assert rc == 1
    assert result["msg"].startswith("Unknown device_type 'cisco_iso' (netmiko has no such platform): did you mean cisco_ios")
    assert "\n" not in result["msg"] and "exception" not in result


def test_hostname_is_required(run_module, sqlite_db_url):
    rc, result = run_module(device, {"db_url": sqlite_db_url, "ip_address": "192.0.2.1"})
    assert rc == 1 and "hostname" in result["msg"]
