# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netraven.netraven.git_export as Ansible runs it: a remote's password never reaches the result."""

from __future__ import annotations

import datetime
import json
import shutil

import pytest

sa = pytest.importorskip("sqlalchemy")
if shutil.which("git") is None:  # pragma: no cover - bindep.txt installs it
    pytest.skip("the git executable is needed", allow_module_level=True)

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._models import (  # noqa: E402
    Device, DeviceConfiguration, Job, JobResult)
from ansible_collections.netraven.netraven.plugins.modules import git_export  # noqa: E402

SECRET = "S3cret-in-url"
WHEN = datetime.datetime(2026, 12, 1, 2, 0, 0)


def test_a_password_in_the_remote_is_masked_in_the_result_and_the_invocation(run_module, sqlite_db_url, tmp_path):
    engine = sa.create_engine(sqlite_db_url)
    with engine.begin() as conn:
        conn.execute(sa.insert(Device).values(id=1, hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios"))
        conn.execute(sa.insert(Job).values(id=1, name="nightly", status="COMPLETED_SUCCESS", completed_at=WHEN))
        conn.execute(sa.insert(JobResult).values(job_id=1, device_id=1, status="SUCCESS", result_time=WHEN))
        conn.execute(sa.insert(DeviceConfiguration).values(device_id=1, job_id=1, config_data="hostname r1\n",
                                                           data_hash="h", retrieved_at=WHEN))
    engine.dispose()
    remote = "https://netops:%s@127.0.0.1:9/configs.git" % SECRET
    code, result = run_module(git_export, {"db_url": sqlite_db_url, "git_dir": str(tmp_path / "configs"),
                                           "job_id": 1, "remote": remote})
    assert code == 0 and result["exported"] == "push_failed" and result["changed"] is True
    assert "push to https://netops:***@127.0.0.1:9/configs.git" in result["msg"]
    assert SECRET not in json.dumps(result)
    # ansible-core 2.19 returns the invocation; newer releases leave it out unless asked (the secret check above covers both).
    if "invocation" in result:
        assert result["invocation"]["module_args"]["remote"] == "https://netops:********@127.0.0.1:9/configs.git"
