# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The job action: the job runs in the worker on the controller, and is shipped as the module elsewhere.

Its work (module_utils._jobs._task.run_job) is the module's, tested in tests/unit/plugins/modules/test_job.py
and end to end by the backup playbook; these pin what the action adds: the same argument rules,
check mode, one-line errors, no no_log value in the result, and the module for a remote host.
"""

from __future__ import annotations

from unittest import mock

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

# pylint: disable=wrong-import-position
from ansible.errors import AnsibleActionFail  # noqa: E402
from ansible.plugins.action import ActionBase  # noqa: E402

from ansible_collections.netraven.netraven.plugins.action import job  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Device, Job, Tag  # noqa: E402


def make_action(args, transport="local", check_mode=False):
    """An ActionModule without Ansible's task machinery (ActionBase.run is stubbed)."""
    action = job.ActionModule.__new__(job.ActionModule)
    action._task = mock.Mock(args=dict(args), check_mode=check_mode, async_val=0)
    action._connection = mock.Mock(transport=transport)
    action._load_name = "netraven.netraven.job"
    action._execute_module = mock.Mock(return_value={"shipped": True})
    return action


@pytest.fixture(autouse=True)
def no_base_run(monkeypatch):
    monkeypatch.setattr(ActionBase, "run", lambda self, tmp=None, task_vars=None: {})


@pytest.fixture
def db(sqlite_db_url, unit_key):
    engine = create_db_engine(sqlite_db_url)
    with session_scope(engine) as session:
        core, lab = Tag(name="core"), Tag(name="lab")
        session.add_all([
            Device(hostname="device1", ip_address="192.0.2.1", device_type="cisco_ios", tags=[core]),
            Device(hostname="device2", ip_address="192.0.2.2", device_type="cisco_ios", tags=[lab]),
            # Sealed as the collection seals it: with the database's own salt.
            Credential(name="ops", username="ops", password=secret_box_for(engine).encrypt("pw"), tags=[lab]),
        ])
    yield sqlite_db_url, engine
    engine.dispose()


def jobs(engine):
    with session_scope(engine) as session:
        return [(row.id, row.status) for row in session.query(Job).order_by(Job.id)]


def test_start_and_finish_run_in_process(db):
    url, engine = db
    started = make_action({"db_url": url, "state": "started", "tags": ["core"]}).run(task_vars={})
    assert (started["status"], started["created"], started["changed"]) == ("COMPLETED_NO_CREDENTIALS", True, True)
    finished = make_action({"db_url": url, "state": "finished", "job_id": started["job_id"]}).run(task_vars={})
    assert (finished["status"], finished["final"]) == ("COMPLETED_NO_CREDENTIALS", True)
    assert jobs(engine) == [(started["job_id"], "COMPLETED_NO_CREDENTIALS")]


def test_the_start_opens_the_chains_with_the_databases_key(db):
    url, engine = db
    started = make_action({"db_url": url, "state": "started", "tags": ["lab"]}).run(task_vars={})
    assert (started["status"], started["resolution"]["credentials"]) == ("RUNNING", 1), started
    assert jobs(engine) == [(started["job_id"], "RUNNING")]


def test_check_mode_writes_nothing(db):
    url, engine = db
    result = make_action({"db_url": url, "state": "started", "tags": ["core"]}, check_mode=True).run(task_vars={})
    assert result["job_id"] is None and result["changed"] is True
    assert jobs(engine) == []


def test_the_module_rules_apply(db):
    url, _engine = db
    with pytest.raises(AnsibleActionFail, match="job_id"):
        make_action({"db_url": url, "state": "finished"}).run(task_vars={})
    with pytest.raises(AnsibleActionFail, match="mutually exclusive"):
        make_action({"db_url": url, "job_id": 1, "tags": ["core"]}).run(task_vars={})


def test_errors_are_one_line_without_the_url_password():
    url = "postgresql+psycopg2://netraven:S3cret-pw@127.0.0.1:1/netraven"
    result = make_action({"db_url": url, "state": "close_stale"}).run(task_vars={})
    assert result["failed"] is True and "\n" not in result["msg"]
    assert "S3cret-pw" not in str(result)


def test_a_remote_host_gets_the_module():
    action = make_action({"state": "close_stale"}, transport="ssh")
    assert action.run(task_vars={"x": 1}) == {"shipped": True}
    action._execute_module.assert_called_once_with(module_name="netraven.netraven.job", module_args={"state": "close_stale"},
                                                   task_vars={"x": 1})
