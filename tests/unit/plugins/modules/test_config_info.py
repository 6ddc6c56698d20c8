# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netraven.netraven.config_info on a real SQLite database: versions, one version, diff, search, errors.

The module only reads: every case also proves the database is unchanged.
"""

from __future__ import annotations

import datetime

import pytest

sa = pytest.importorskip("sqlalchemy")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (  # noqa: E402
    Device,
    DeviceConfiguration,
    Tag,
    device_tag_association,
)
from ansible_collections.netraven.netraven.plugins.modules import config_info  # noqa: E402

FIRST = "hostname core-1\ninterface Gi1\n description uplink\nntp server 192.0.2.1\n"
SECOND = "hostname core-1\ninterface Gi1\n description uplink\n description new-line\nntp server 192.0.2.1\n"
EDGE = "hostname edge-1\ninterface Gi1\n"
T0 = datetime.datetime(2026, 12, 1, 20, 0, 0)


def seed(url):
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.insert(Tag).values(id=1, name="core"))
        connection.execute(sa.insert(Device), [
            {"id": 1, "hostname": "core-1", "ip_address": "192.0.2.11", "device_type": "cisco_ios", "enabled": True},
            {"id": 2, "hostname": "edge-1", "ip_address": "192.0.2.12", "device_type": "cisco_ios", "enabled": True},
            {"id": 3, "hostname": "off-1", "ip_address": "192.0.2.13", "device_type": "cisco_ios", "enabled": False},
        ])
        connection.execute(sa.insert(device_tag_association), [{"device_id": 1, "tag_id": 1}])
        connection.execute(sa.insert(DeviceConfiguration), [
            {"id": 1, "device_id": 1, "config_data": FIRST, "data_hash": "h1", "retrieved_at": T0},
            {"id": 2, "device_id": 2, "config_data": EDGE, "data_hash": "h2", "retrieved_at": T0},
            {"id": 3, "device_id": 1, "config_data": SECOND, "data_hash": "h3",
             "retrieved_at": T0 + datetime.timedelta(hours=1)},
            {"id": 4, "device_id": 3, "config_data": "description new-line\n", "data_hash": "h4", "retrieved_at": T0},
        ])
    engine.dispose()


@pytest.fixture
def run(run_module, sqlite_db_url, sqlite_engine, db_snapshot):
    seed(sqlite_db_url)
    before = db_snapshot(sqlite_engine)

    def _run(**args):
        code, result = run_module(config_info, dict(args, db_url=sqlite_db_url, _ansible_check_mode=True))
        assert db_snapshot(sqlite_engine) == before
        return code, result

    return _run


def test_versions_one_version_and_time(run):
    code, result = run(device="core-1")
    assert code == 0 and result["changed"] is False
    assert [v["config_id"] for v in result["versions"]] == [3, 1]
    assert result["versions"][0]["lines"] == 5 and result["versions"][0]["bytes"] == len(SECOND)
    assert [v["config_id"] for v in run(device="1", limit=1)[1]["versions"]] == [3]
    assert run(device="core-1", version=2)[1]["config"] == FIRST
    assert run(device="core-1", config_id=3)[1]["config"] == SECOND
    assert run(device="core-1", at="2026-12-01T20:30:00Z")[1]["config_id"] == 1


def test_diff_has_exactly_the_changed_line(run):
    code, result = run(device="core-1", diff_against=2)
    assert code == 0
    assert result["diff_stats"] == {"added": 1, "removed": 0}
    changed = [line for line in result["unified_diff"].splitlines()[2:] if line[:1] in "+-"]
    assert changed == ["+ description new-line"]
    assert "core-1 config_id=1" in result["unified_diff"] and result["diff"]["after"] == SECOND


def test_search_absent_tags_context_limit(run):
    result = run(search="new-line")[1]
    assert [m["hostname"] for m in result["matches"]] == ["core-1"]
    assert result["matches"][0]["lines"] == [{"line_number": 4, "line": " description new-line"}]
    assert [m["hostname"] for m in run(search="new-line", absent=True)[1]["matches"]] == ["edge-1"]
    assert run(search="uplink", context=1)[1]["matches"][0]["lines"][0]["context"] == [
        "interface Gi1", " description uplink", " description new-line"]
    capped = run(search="Gi1", limit=1)[1]
    assert capped["matched"] == 2 and capped["truncated"] is True and len(capped["matches"]) == 1
    assert [m["hostname"] for m in run(search="hostname", tags=["core"])[1]["matches"]] == ["core-1"]


@pytest.mark.parametrize("args, culprit", [
    ({"search": "("}, "'('"),
    ({"device": "nope-9"}, "'nope-9'"),
    ({"device": "core-1", "version": 3}, "version 3"),
    ({"device": "core-1", "version": 1, "config_id": 3}, "version and config_id"),
    ({"device": "core-1", "at": "yesterday"}, "'yesterday'"),
    ({"search": "x", "tags": ["ghost"]}, "ghost"),
    ({"search": "x", "tags": ["ghost", "core", "boo"]}, "Unknown tags: boo, ghost"),
    ({}, "device is required"),
])
def test_bad_input_is_one_line_naming_it(run, args, culprit):
    code, result = run(**args)
    assert code == 1 and culprit in result["msg"] and "\n" not in result["msg"]
    assert "Traceback" not in result["msg"] and "exception" not in result


def test_absent_is_line_by_line_like_matches(run):
    """An anchored regex: core-1 has the line, so absent lists only edge-1 (a whole-text search listed both)."""
    assert [m["hostname"] for m in run(search="^ description new-line$")[1]["matches"]] == ["core-1"]
    assert [m["hostname"] for m in run(search="^ description new-line$", absent=True)[1]["matches"]] == ["edge-1"]


def _seal_original(sqlite_db_url, config_id, text, passphrase):
    from ansible_collections.netraven.netraven.plugins.module_utils._crypto import (  # pylint: disable=import-outside-toplevel
        install_salt,
        secret_box,
    )
    engine = sa.create_engine(sqlite_db_url)
    # The database's install salt, as the backup seals; no key check, as another tool would write it.
    box = secret_box(passphrase, old_keys="", install_salt=install_salt(engine))
    with engine.begin() as connection:
        connection.execute(sa.update(DeviceConfiguration).where(DeviceConfiguration.id == config_id)
                           .values(original=box.encrypt(text)))
    engine.dispose()


def test_reveal_is_refused_unless_the_task_runs_with_no_log(run_module, sqlite_db_url, unit_key):
    seed(sqlite_db_url)
    _seal_original(sqlite_db_url, 3, "enable secret 0 Unit-Plain-Secret\n", unit_key)
    code, result = run_module(config_info, {"db_url": sqlite_db_url, "device": "core-1", "version": 1, "reveal": True})
    assert code == 1 and "run the task with no_log: true" in result["msg"] and "\n" not in result["msg"]
    assert "Unit-Plain-Secret" not in str(result) and "original" not in result


def test_reveal_returns_the_original_of_one_version_only(run_module, sqlite_db_url, unit_key):
    seed(sqlite_db_url)
    original = SECOND.replace("hostname core-1", "hostname core-1\nenable secret 0 Unit-Plain-Secret")
    _seal_original(sqlite_db_url, 3, original, unit_key)
    code, result = run_module(config_info, {"db_url": sqlite_db_url, "device": "core-1", "version": 1, "reveal": True,
                                            "_ansible_no_log": True})
    assert code == 0 and result["original"] == original and result["config"] == SECOND
    code, plain = run_module(config_info, {"db_url": sqlite_db_url, "device": "core-1", "version": 1})
    assert code == 0 and "original" not in plain
    code, listed = run_module(config_info, {"db_url": sqlite_db_url, "device": "core-1"})
    assert code == 0 and "Unit-Plain-Secret" not in str(listed) and "original" not in str(listed)


@pytest.mark.usefixtures("unit_key")
def test_reveal_without_the_key_that_sealed_it_is_one_line(run_module, sqlite_db_url, monkeypatch, unit_key):
    seed(sqlite_db_url)
    _seal_original(sqlite_db_url, 1, FIRST, unit_key)  # the install's key opens a value: it is this install's key
    _seal_original(sqlite_db_url, 3, SECOND, "a-different-passphrase")
    code, result = run_module(config_info, {"db_url": sqlite_db_url, "device": "core-1", "version": 1, "reveal": True,
                                            "_ansible_no_log": True})
    assert code == 1 and "\n" not in result["msg"]
    assert result["msg"].startswith("NETRAVEN_ENCRYPTION_KEY cannot open the sealed original of core-1 config_id 3")
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_KEY")
    code, result = run_module(config_info, {"db_url": sqlite_db_url, "device": "core-1", "version": 1, "reveal": True,
                                            "_ansible_no_log": True})
    assert code == 1 and result["msg"].startswith("NETRAVEN_ENCRYPTION_KEY is not set")
    code, result = run_module(config_info, {"db_url": sqlite_db_url, "device": "core-1", "version": 1})
    assert code == 0 and result["config"] == SECOND  # without reveal no key is needed


@pytest.mark.parametrize("regex, found", [
    ("^ description new-line$", ["core-1"]),
    (r"uplink\s+description", []),            # would match across a newline in the whole text: lines only
    (r"(?<!\S)new-line", ["core-1"]),          # a lookbehind at a line's edge: searched line by line
    (r"\A description uplink", ["core-1"]),  # \A is each line's start, not the text's
    (r"192\.0\.2\.1\Z", ["core-1"]),
])
def test_search_is_line_by_line_whatever_the_regex(run, regex, found):
    assert [m["hostname"] for m in run(search=regex)[1]["matches"]] == found
    assert [m["hostname"] for m in run(search=regex, absent=True)[1]["matches"]] == [
        name for name in ("core-1", "edge-1") if name not in found]


@pytest.mark.parametrize("regex", [r"^description (\w+\s?)+$", r"(a|aa)+$", r"^(\w+\s?)*!$"])
def test_a_catastrophic_search_returns_or_is_refused_within_a_second(run_module, sqlite_db_url, regex):
    """With re, the first pattern takes ×4 per two more characters (minutes at 30)."""
    import time  # pylint: disable=import-outside-toplevel
    seed(sqlite_db_url)
    engine = sa.create_engine(sqlite_db_url)
    with engine.begin() as connection:
        connection.execute(sa.update(DeviceConfiguration).where(DeviceConfiguration.id == 2).values(
            config_data=EDGE + "description " + "a" * 40 + "\n" + "a" * 40 + "!\n" + "ab " * 14 + "x\n"))
    engine.dispose()
    for absent in (False, True):
        started, cpu = time.monotonic(), time.process_time()
        code, result = run_module(config_info, {"db_url": sqlite_db_url, "search": regex, "absent": absent})
        # 0.25 s per match at most, and the module's own work: counted in CPU seconds, which other processes on
        # a loaded machine do not stretch; the wall clock only has to stay far below "minutes".
        assert time.process_time() - cpu < 1.5 and time.monotonic() - started < 10, (
            regex, time.process_time() - cpu, time.monotonic() - started)
        if code:
            assert result["msg"].startswith("The regex for search '%s' took more than 0.25 s on one line" % regex)
            assert "\n" not in result["msg"]
        else:
            assert isinstance(result["matches"], list)
