# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tag, device and credential actions: the module's handler in the worker on the controller.

The handlers' work is the modules', tested in tests/unit/plugins/modules/ and end to end by the
estate playbooks; these pin what plugin_utils._controller_module adds: the module's spec and
rules, check and diff mode, warnings, one-line errors, no no_log value anywhere in the result,
and the module itself for a host that is not the controller.
"""

from __future__ import annotations

from unittest import mock

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

# pylint: disable=wrong-import-position
from ansible.plugins.action import ActionBase  # noqa: E402

from ansible_collections.netraven.netraven.plugins.action import credential, device, tag  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._database import create_db_engine, session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._models import Credential, Tag  # noqa: E402
from ansible_collections.netraven.netraven.plugins.plugin_utils._controller_module import no_log_values  # noqa: E402

PASSWORD = "Unit-Pa55word!"


def make_action(plugin, args, transport="local", check_mode=False, diff=False):
    """An ActionModule without Ansible's task machinery (ActionBase.run is stubbed)."""
    action = plugin.ActionModule.__new__(plugin.ActionModule)
    action._task = mock.Mock(args=dict(args), check_mode=check_mode, diff=diff, async_val=0)
    action._connection = mock.Mock(transport=transport)
    action._execute_module = mock.Mock(return_value={"shipped": True})
    return action


@pytest.fixture(autouse=True)
def no_base_run(monkeypatch):
    monkeypatch.setattr(ActionBase, "run", lambda self, tmp=None, task_vars=None: {})


def names(url, model):
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as session:
            return sorted(row.name for row in session.query(model))
    finally:
        engine.dispose()


def test_a_tag_is_created_once_and_check_mode_writes_nothing(sqlite_db_url):
    args = {"db_url": sqlite_db_url, "name": "site-paris", "type": "site"}
    planned = make_action(tag, args, check_mode=True).run(task_vars={})
    assert planned["changed"] is True and names(sqlite_db_url, Tag) == []
    created = make_action(tag, args).run(task_vars={})
    assert created["changed"] is True and created["tag"]["name"] == "site-paris"
    again = make_action(tag, args).run(task_vars={})
    assert again["changed"] is False and names(sqlite_db_url, Tag) == ["site-paris"]


def test_the_diff_is_returned_in_diff_mode_only(sqlite_db_url):
    args = {"db_url": sqlite_db_url, "name": "core"}
    assert "diff" not in make_action(tag, args).run(task_vars={})
    assert "diff" in make_action(tag, dict(args, name="edge"), diff=True).run(task_vars={})


def test_the_modules_spec_and_rules_apply(sqlite_db_url):
    unknown = make_action(tag, {"db_url": sqlite_db_url, "name": "x", "colour": "red"}).run(task_vars={})
    assert unknown["failed"] is True and unknown["changed"] is False
    assert unknown["msg"].startswith("Unsupported parameters for (netraven.netraven.tag) module: colour")
    neither = make_action(credential, {"db_url": sqlite_db_url, "password": PASSWORD}).run(task_vars={})
    assert neither["failed"] is True and "name, username" in neither["msg"]
    assert PASSWORD not in str(neither)


def test_check_mode_warnings_reach_the_result(sqlite_db_url):
    args = {"db_url": sqlite_db_url, "hostname": "r1", "ip_address": "192.0.2.1", "device_type": "cisco_ios",
            "tags": ["pci"]}
    result = make_action(device, args, check_mode=True).run(task_vars={})
    assert result["changed"] is True and "failed" not in result
    assert len(result["warnings"]) == 1 and "pci" in result["warnings"][0]


def test_a_core_error_is_one_line_and_writes_nothing(sqlite_db_url):
    args = {"db_url": sqlite_db_url, "hostname": "r1", "ip_address": "192.0.2.1", "device_type": "cisco_iox"}
    result = make_action(device, args).run(task_vars={})
    assert result["failed"] is True and result["changed"] is False
    assert "cisco_iox" in result["msg"] and "\n" not in result["msg"]


def test_a_credential_is_sealed_and_its_password_is_in_no_output(sqlite_db_url, unit_key):
    args = {"db_url": sqlite_db_url, "name": "ops", "username": "ops", "password": PASSWORD, "create_tags": True,
            "tags": [PASSWORD]}  # a tag named like the password: masked in the result, as AnsibleModule masks it
    result = make_action(credential, args).run(task_vars={})
    assert result["changed"] is True and "failed" not in result, result
    assert PASSWORD not in str(result)
    assert names(sqlite_db_url, Credential) == ["ops"]
    del unit_key


def test_no_log_values_are_the_set_no_log_options():
    spec = {"db_url": {"no_log": True}, "password": {"no_log": True}, "name": {}}
    assert no_log_values(spec, {"db_url": "sqlite:///x", "password": None, "name": "n"}) == {"sqlite:///x"}


def test_a_remote_host_gets_the_module():
    action = make_action(tag, {"name": "core"}, transport="ssh")
    assert action.run(task_vars={"x": 1}) == {"shipped": True}
    action._execute_module.assert_called_once_with(module_name="netraven.netraven.tag", module_args={"name": "core"},
                                                   task_vars={"x": 1})
