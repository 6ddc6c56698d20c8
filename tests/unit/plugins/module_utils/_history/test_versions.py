# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The history reader's own rules (_history/_versions.py), below the config_info module.

The module's behaviour end to end (every mode, the database unchanged) is pinned in
tests/unit/plugins/modules/test_config_info.py; these pin the rules it is made of: one
selector at most, a bad regex or timestamp refused in one line naming it, times compared in
UTC, the whole-text pre-check never used where it could hide a line's match, and which
version a selector picks.
"""

from __future__ import annotations

import datetime

import pytest

sa = pytest.importorskip("sqlalchemy")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, DeviceConfiguration  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._history import _search, _versions  # noqa: E402

T0 = datetime.datetime(2026, 12, 1, 20, 0, 0)


@pytest.fixture
def history(engine):
    """Device core-1 (id 1) with versions config_id 1 (T0) and 2 (T0 + 1 h); edge-1 (id 2) with none."""
    with engine.begin() as connection:
        connection.execute(sa.insert(Device), [
            {"id": 1, "hostname": "core-1", "ip_address": "192.0.2.11", "device_type": "cisco_ios"},
            {"id": 2, "hostname": "edge-1", "ip_address": "192.0.2.12", "device_type": "cisco_ios"},
        ])
        connection.execute(sa.insert(DeviceConfiguration), [
            {"id": 1, "device_id": 1, "config_data": "hostname core-1\n", "data_hash": "h1", "retrieved_at": T0},
            {"id": 2, "device_id": 1, "config_data": "hostname core-1\nntp server 192.0.2.1\n", "data_hash": "h2",
             "retrieved_at": T0 + datetime.timedelta(hours=1)},
        ])
    return engine


def test_at_most_one_selector():
    _versions.check_selectors({"version": 2, "config_id": None, "at": None})
    with pytest.raises(ValidationError, match="^Give at most one of version, config_id and at, not version and at$"):
        _versions.check_selectors({"version": 2, "at": "2026-12-01T20:00:00Z"})


def test_a_bad_regex_and_a_bad_timestamp_are_one_line_naming_them():
    with pytest.raises(ValidationError, match=r"^Invalid regex for search '\(unclosed': "):
        _search.compile_search("(unclosed")
    with pytest.raises(ValidationError, match=r"^at 'yesterday' is not an ISO timestamp"):
        _versions.parse_at("yesterday")


def test_timestamps_become_naive_utc_as_stored():
    assert _versions.parse_at("2026-12-01T21:30:00Z") == datetime.datetime(2026, 12, 1, 21, 30)
    assert _versions.parse_at("2026-12-01T22:30:00+01:00") == datetime.datetime(2026, 12, 1, 21, 30)
    assert _versions.parse_at("2026-12-01T21:30:00") == datetime.datetime(2026, 12, 1, 21, 30)


def test_each_selector_picks_its_version(history):
    with history.connect() as connection:
        device = _versions.find_device(connection, "core-1")
        assert _versions.find_device(connection, "1") == device
        assert _versions.select_version(connection, device).id == 2
        assert _versions.select_version(connection, device, version=2).id == 1
        assert _versions.select_version(connection, device, config_id=1).id == 1
        assert _versions.select_version(connection, device, at="2026-12-01T20:30:00Z").id == 1
        assert [v["config_id"] for v in _versions.list_versions(connection, device.id)] == [2, 1]


def test_what_cannot_be_found_is_one_line_naming_it(history):
    with history.connect() as connection:
        with pytest.raises(ValidationError, match="^Unknown device 'core-9': no device has that hostname or id$"):
            _versions.find_device(connection, "core-9")
        core, edge = _versions.find_device(connection, "core-1"), _versions.find_device(connection, "edge-1")
        with pytest.raises(ValidationError, match="^Device core-1 has no version 3$"):
            _versions.select_version(connection, core, version=3)
        with pytest.raises(ValidationError, match="^version 0 is not valid: 1 is the latest, 2 the one before$"):
            _versions.select_version(connection, core, version=0)
        with pytest.raises(ValidationError, match="^Device edge-1 has no version 1$"):
            _versions.select_version(connection, edge)
