# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netraven.netraven.tag through AnsibleModule: argument handling, diff mode, one-line failures."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlalchemy")

from ansible_collections.netraven.netraven.plugins.modules import tag  # noqa: E402


def test_create_check_and_diff_modes(run_module, sqlite_db_url):
    args = {"db_url": sqlite_db_url, "name": "core", "type": "role"}
    rc, result = run_module(tag, dict(args, _ansible_check_mode=True, _ansible_diff=True))
    assert (rc, result["changed"], result["tag"]["id"]) == (0, True, None)
    assert result["diff"] == {"before": {}, "after": {"name": "core", "type": "role", "description": None}}
    rc, result = run_module(tag, args)
    assert (rc, result["changed"]) == (0, True)
    assert result["tag"]["id"] == 1
    assert "diff" not in result, "diff is only returned in diff mode"
    rc, result = run_module(tag, dict(args, _ansible_diff=True))
    assert (rc, result["changed"]) == (0, False)


def test_unknown_option_and_bad_choice_fail(run_module, sqlite_db_url):
    rc, result = run_module(tag, {"db_url": sqlite_db_url, "name": "core", "colour": "red"})
    assert rc == 1 and "colour" in result["msg"]
    rc, result = run_module(tag, {"db_url": sqlite_db_url, "name": "core", "state": "gone"})
    assert rc == 1 and "state" in result["msg"]


def test_malformed_db_url_is_one_masked_line(run_module):
    rc, result = run_module(tag, {"db_url": "postgresql+psycopg2://netraven:Hunter2Secret@db:notaport/netraven", "name": "core"})
    assert rc == 1
    assert result["msg"].startswith("Invalid database URL 'postgresql+psycopg2://netraven:***@db:notaport/netraven'")
    assert "\n" not in result["msg"]
    assert "Hunter2Secret" not in repr(result)
    assert "exception" not in result


def test_unmigrated_database_names_the_fix(run_module, tmp_path):
    rc, result = run_module(tag, {"db_url": "sqlite:///%s" % (tmp_path / "empty.db"), "name": "core"})
    assert rc == 1
    assert "has no NetRaven schema" in result["msg"] and "netraven.netraven.migrate" in result["msg"]
