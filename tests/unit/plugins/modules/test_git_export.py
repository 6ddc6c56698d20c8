# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netraven.netraven.git_export as Ansible runs it: a remote's password never reaches the result."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("sqlalchemy")
if shutil.which("git") is None:  # pragma: no cover - bindep.txt installs it
    pytest.skip("the git executable is needed", allow_module_level=True)

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.modules import git_export  # noqa: E402

SECRET = "S3cret-in-url"


def test_a_password_in_the_remote_is_masked_in_the_result_and_the_invocation(run_module, one_backup_db_url, tmp_path):
    remote = "https://netops:%s@127.0.0.1:9/configs.git" % SECRET
    code, result = run_module(git_export, {"db_url": one_backup_db_url, "git_dir": str(tmp_path / "configs"),
                                           "job_id": 1, "remote": remote})
    assert code == 0 and result["exported"] == "push_failed" and result["changed"] is True
    assert "push to https://netops:***@127.0.0.1:9/configs.git" in result["msg"]
    assert SECRET not in json.dumps(result)
    # ansible-core 2.19 returns the invocation; newer releases leave it out unless asked (the secret check above covers both).
    if "invocation" in result:
        assert result["invocation"]["module_args"]["remote"] == "https://netops:********@127.0.0.1:9/configs.git"
