# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup action's own rules: which host variables fill which options, and host key checking.

The action's run() is covered end to end by tests/integration/test_backup.py; these pin
the variable handling without a playbook: options given win over host variables, the
chain becomes ids, a job id template is rendered (only that variable), and host key
checking follows the option, then Ansible's variables, then its configuration.
"""

from __future__ import annotations

from unittest import mock

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("netmiko")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.action import backup  # noqa: E402


@pytest.fixture
def action():
    """An ActionModule without Ansible's task machinery; its templar renders '{{ x }}' as '42'."""
    module = backup.ActionModule.__new__(backup.ActionModule)
    module._templar = mock.Mock()
    module._templar.template.side_effect = lambda value: "42" if "{{" in str(value) else value
    return module


def test_host_variables_fill_missing_options(action):
    task_vars = {"netraven_device_id": "7", "netraven_credentials": [{"id": 3, "username": "a"}, {"id": "5"}],
                 "netraven_job_id": 11}
    assert action._defaults_from_vars({}, task_vars) == {"device_id": 7, "credentials": [3, 5], "job_id": 11}


def test_given_options_win_over_host_variables(action):
    args = {"device_id": 1, "credentials": [9], "job_id": 2}
    task_vars = {"netraven_device_id": 7, "netraven_credentials": [{"id": 3}], "netraven_job_id": 11}
    assert action._defaults_from_vars(dict(args), task_vars) == args


def test_only_the_job_id_is_templated(action):
    task_vars = {"netraven_job_id": "{{ job }}", "netraven_device_id": 4}
    assert action._defaults_from_vars({}, task_vars) == {"device_id": 4, "job_id": 42}
    action._templar.template.assert_called_once_with("{{ job }}")


def _with_task_args(action, args):
    action._task = mock.Mock(args=args)
    action._load_name = "netraven.netraven.backup"
    return action


def test_netraven_variables_fill_the_options_the_task_leaves_out(action):
    """playbooks/backup.yml passes no option: its -e netraven_* tunables reach the action as variables."""
    task_vars = {"netraven_connect_timeout": "3", "netraven_session_log_dir": "/tmp/logs", "netraven_keep_original": "no",
                 "netraven_host_key_checking": True, "netraven_max_attempts": 1}
    args = _with_task_args(action, {"command_timeout": 7})._validated_args(task_vars)
    assert (args["connect_timeout"], args["command_timeout"], args["session_log_dir"]) == (3, 7, "/tmp/logs")
    assert args["keep_original"] is False and args["host_key_checking"] is True
    assert args["max_attempts"] is None and args["lockout_threshold"] == 5  # not a variable option; the default


def test_an_option_the_task_sets_wins_over_its_variable(action):
    args = _with_task_args(action, {"connect_timeout": 4})._validated_args({"netraven_connect_timeout": 30})
    assert args["connect_timeout"] == 4


def test_a_templated_variable_is_rendered(action):
    args = _with_task_args(action, {})._validated_args({"netraven_platforms_file": "{{ playbook_dir }}/p.yml"})
    assert args["platforms_file"] == "42"
    action._templar.template.assert_called_once_with("{{ playbook_dir }}/p.yml")


def test_a_bad_variable_is_named_in_one_line(action):
    with pytest.raises(backup.AnsibleActionFail) as raised:
        _with_task_args(action, {})._validated_args({"netraven_connect_timeout": "soon"})
    message = str(raised.value.message)
    assert message.startswith("variable netraven_connect_timeout: ") and "connect_timeout" in message
    assert "\n" not in message


def test_an_unknown_option_is_refused_as_ansible_does(action):
    with pytest.raises(backup.AnsibleActionFail) as raised:
        _with_task_args(action, {"connect_timeuot": 4})._validated_args({})
    assert "Unsupported parameters for (netraven.netraven.backup) module: connect_timeuot" in str(raised.value.message)


def test_an_empty_job_id_means_no_job(action):
    assert "job_id" not in action._defaults_from_vars({}, {"netraven_job_id": ""})


@pytest.mark.parametrize("option, task_vars, config, expected", [
    (True, {"ansible_host_key_checking": False}, False, True),
    (False, {}, True, False),
    (None, {"ansible_host_key_checking": "yes"}, False, True),
    (None, {"ansible_ssh_host_key_checking": "no"}, True, False),
    (None, {}, True, True),
    (None, {}, False, False),
])
def test_host_key_checking_order(action, monkeypatch, option, task_vars, config, expected):
    monkeypatch.setattr(backup.C, "HOST_KEY_CHECKING", config)
    assert action._host_key_checking({"host_key_checking": option}, task_vars) is expected


def test_session_log_path_is_per_host(tmp_path):
    args = {"session_log_dir": str(tmp_path / "logs"), "device_id": 3}
    path = backup.ActionModule._session_log_path(args, {"inventory_hostname": "r/1"})
    assert path == str(tmp_path / "logs" / "r_1.log") and (tmp_path / "logs").is_dir()
    assert backup.ActionModule._session_log_path({"session_log_dir": None}, {}) is None
