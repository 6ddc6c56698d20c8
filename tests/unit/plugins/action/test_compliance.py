# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance action: netraven_compliance_file, check and diff mode, and a runaway regex that stores nothing."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("regex")

# pylint: disable=wrong-import-position
import sqlalchemy as sa  # noqa: E402

from ansible_collections.netraven.netraven.plugins.action import compliance  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine  # noqa: E402

from ansible_collections.netraven.netraven.tests.unit.plugins.plugin_utils.test_controller_module import (  # noqa: E402,F401 pylint: disable=unused-import
    make_action,
    no_base_run,
)

RULES = "rules:\n  - name: hostname-set\n    must_contain: '^hostname r1$'\n  - name: no-telnet\n    must_not_contain: telnet\n"


def rows(url):
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return (connection.execute(sa.text("SELECT count(*) FROM compliance_results")).scalar(),
                    connection.execute(sa.text("SELECT count(*) FROM compliance_state")).scalar())
    finally:
        engine.dispose()


def test_the_rules_file_comes_from_netraven_compliance_file(one_backup_db_url, tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text(RULES)
    task_vars = {"netraven_compliance_file": str(path)}
    planned = make_action(compliance, {"db_url": one_backup_db_url}, check_mode=True, diff=True).run(task_vars=task_vars)
    assert planned["changed"] is True and rows(one_backup_db_url) == (0, 0)
    assert "r1 hostname-set: (never evaluated)" in planned["diff"]["before"]
    assert "r1 hostname-set: COMPLIANT" in planned["diff"]["after"]
    done = make_action(compliance, {"db_url": one_backup_db_url}).run(task_vars=task_vars)
    assert done["summary"]["compliant"] == 2 and done["changed"] is True and rows(one_backup_db_url) == (2, 2)
    again = make_action(compliance, {"db_url": one_backup_db_url}).run(task_vars=task_vars)
    assert again["changed"] is False and rows(one_backup_db_url) == (4, 2)
    # Rules given on the task win over the variable, which is then not read at all.
    inline = make_action(compliance, {"db_url": one_backup_db_url, "rules": [{"name": "x", "must_contain": "^end$"}]})
    result = inline.run(task_vars={"netraven_compliance_file": str(tmp_path / "missing.yml")})
    assert result["summary"]["non_compliant"] == 1 and result["results"][0]["missing"] == ["^end$"]


def test_nothing_to_evaluate_and_both_rules_and_file_are_refused(one_backup_db_url, tmp_path):
    missing = make_action(compliance, {"db_url": one_backup_db_url}).run(task_vars={})
    assert missing["failed"] and "Give rules, or rules_file (or the variable netraven_compliance_file)" in missing["msg"]
    both = make_action(compliance, {"db_url": one_backup_db_url, "rules": [], "rules_file": str(tmp_path / "r.yml")})
    assert "mutually exclusive" in both.run(task_vars={})["msg"]


def test_a_regex_that_runs_away_is_refused_and_nothing_is_stored(one_backup_db_url):
    engine = create_db_engine(one_backup_db_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE device_configurations SET config_data = :text"),
                           {"text": "hostname r1\ndescription " + "a" * 60 + "!\n"})
    engine.dispose()
    rules = [{"name": "fine", "must_contain": "^hostname"}, {"name": "runaway", "must_not_contain": "(a|aa)+$"}]
    result = make_action(compliance, {"db_url": one_backup_db_url, "rules": rules}).run(task_vars={})
    if not result.get("failed"):
        pytest.skip("the regex package returned without backtracking on this version: nothing to refuse")
    assert "rule 'runaway' must_not_contain" in result["msg"] and "took more than" in result["msg"]
    assert "\n" not in result["msg"] and rows(one_backup_db_url) == (0, 0)
