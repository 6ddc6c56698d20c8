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
