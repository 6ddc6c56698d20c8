# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The management and history actions: the module's handler in the worker on the controller.

tag, device, credential, config_info, device_info, prune, rekey and git_export.

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

import json  # noqa: E402
import shutil  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from ansible_collections.netraven.netraven.plugins.action import (  # noqa: E402
    config_info, credential, device, device_info, git_export, prune, rekey, tag)
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Job, Tag  # noqa: E402
from ansible_collections.netraven.netraven.plugins.plugin_utils._controller_module import no_log_values  # noqa: E402

PASSWORD = "Unit-Pa55word!"


def make_action(plugin, args, transport="local", check_mode=False, diff=False, no_log=False):
    """An ActionModule without Ansible's task machinery (ActionBase.run is stubbed)."""
    action = plugin.ActionModule.__new__(plugin.ActionModule)
    action._task = mock.Mock(args=dict(args), check_mode=check_mode, diff=diff, no_log=no_log, async_val=0)
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


@pytest.mark.parametrize("plugin", [tag, device, credential, config_info, device_info, prune, rekey, git_export])
def test_a_remote_host_gets_the_module(plugin):
    action = make_action(plugin, {"name": "core"}, transport="ssh")
    assert action.run(task_vars={"x": 1}) == {"shipped": True}
    module = "netraven.netraven." + plugin.__name__.rsplit(".", 1)[-1]
    action._execute_module.assert_called_once_with(module_name=module, module_args={"name": "core"}, task_vars={"x": 1})


def test_config_info_reads_the_history(one_backup_db_url):
    listed = make_action(config_info, {"db_url": one_backup_db_url, "device": "r1"}).run(task_vars={})
    assert "failed" not in listed and listed["changed"] is False, listed
    assert [version["config_id"] for version in listed["versions"]] == [1]
    shown = make_action(config_info, {"db_url": one_backup_db_url, "device": "r1", "version": 1}).run(task_vars={})
    assert "hostname r1" in json.dumps(shown), shown
    unknown = make_action(config_info, {"db_url": one_backup_db_url, "device": "r9"}).run(task_vars={})
    assert unknown["failed"] is True and "r9" in unknown["msg"] and "\n" not in unknown["msg"]


def test_config_info_reveal_needs_the_tasks_no_log(one_backup_db_url, unit_key):
    args = {"db_url": one_backup_db_url, "device": "r1", "version": 1, "reveal": True}
    refused = make_action(config_info, args).run(task_vars={})
    assert refused["failed"] is True and "run the task with no_log: true" in refused["msg"]
    # Under no_log the reveal goes on (this version was stored without an original: that is the next refusal).
    opened = make_action(config_info, args, no_log=True).run(task_vars={})
    assert opened["failed"] is True and "has no sealed original" in opened["msg"], opened


def test_device_info_and_prune_refuse_bad_numbers_in_one_line(sqlite_db_url):
    stale = make_action(device_info, {"db_url": sqlite_db_url, "stale_device_hours": -1}).run(task_vars={})
    assert stale["failed"] is True and stale["msg"] == "stale_device_hours must be 0 or more"
    keep = make_action(prune, {"db_url": sqlite_db_url, "keep_versions": 0}).run(task_vars={})
    assert keep["failed"] is True and keep["msg"].startswith("keep_versions must be at least 1")


def test_device_info_lists_a_device_backed_up_longer_ago_than_the_hours(one_backup_db_url):
    result = make_action(device_info, {"db_url": one_backup_db_url, "stale_device_hours": 1}).run(task_vars={})
    assert [entry["hostname"] for entry in result["stale_devices"]] == ["r1"], result


def test_prune_counts_in_check_mode_and_deletes_for_real(one_backup_db_url):
    args = {"db_url": one_backup_db_url, "keep_days": {"jobs": 0, "configurations": 0}}
    planned = make_action(prune, args, check_mode=True).run(task_vars={})
    engine = sa.create_engine(one_backup_db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(Job)).scalar_one() == 1
        done = make_action(prune, args).run(task_vars={})
        assert "failed" not in done and "failed" not in planned, (planned, done)
        assert done["changed"] is True and planned["changed"] is True
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(Job)).scalar_one() == 0
    finally:
        engine.dispose()


def test_rekey_in_check_mode_reseals_nothing(sqlite_db_url, unit_key):
    made = make_action(credential, {"db_url": sqlite_db_url, "name": "ops", "username": "ops", "password": PASSWORD})
    assert "failed" not in made.run(task_vars={})
    result = make_action(rekey, {"db_url": sqlite_db_url}, check_mode=True).run(task_vars={})
    assert "failed" not in result and result["changed"] is False and result["rekeyed"] == [], result
    assert PASSWORD not in str(result) and unit_key not in str(result)


@pytest.mark.skipif(shutil.which("git") is None, reason="the git executable is needed (bindep.txt)")
def test_git_export_masks_a_password_in_the_remote(one_backup_db_url, tmp_path):
    secret = "S3cret-in-url"
    args = {"db_url": one_backup_db_url, "git_dir": str(tmp_path / "configs"), "job_id": 1,
            "remote": "https://netops:%s@127.0.0.1:9/configs.git" % secret}
    result = make_action(git_export, args).run(task_vars={})
    assert result["exported"] == "push_failed" and result["changed"] is True, result
    assert "push to https://netops:***@127.0.0.1:9/configs.git" in result["msg"]
    assert secret not in json.dumps(result)


def test_device_info_names_a_job_that_does_not_exist(one_backup_db_url):
    known = make_action(device_info, {"db_url": one_backup_db_url, "job_id": 1, "stale_device_hours": 1}).run(task_vars={})
    assert [entry["hostname"] for entry in known["stale_devices"]] == ["r1"], known
    unknown = make_action(device_info, {"db_url": one_backup_db_url, "job_id": 4242}).run(task_vars={})
    assert unknown["failed"] is True and unknown["msg"] == "Job 4242 does not exist in the NetRaven database"
