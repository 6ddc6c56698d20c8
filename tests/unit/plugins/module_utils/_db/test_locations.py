# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which database is used (docs/architecture.md: "Database and encryption"): the option, then NETRAVEN_DB_URL, then the embedded file."""

from __future__ import annotations

import os

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db._locations import default_sqlite_path, resolve_db_url
from ansible_collections.netraven.netraven.tests.unit.plugins.module_utils._db._url_checks import PASSWORD

pytestmark = pytest.mark.usefixtures("isolated_db_env")


def test_explicit_url_wins_over_environment(monkeypatch):
    monkeypatch.setenv("NETRAVEN_DB_URL", "sqlite:////from/env.db")
    assert resolve_db_url("sqlite:////explicit.db") == "sqlite:////explicit.db"
    assert resolve_db_url("  sqlite:////explicit.db\n") == "sqlite:////explicit.db"


def test_environment_wins_over_default(monkeypatch):
    monkeypatch.setenv("NETRAVEN_DB_URL", "postgresql+psycopg2://nr:%s@db/netraven" % PASSWORD)
    assert resolve_db_url() == "postgresql+psycopg2://nr:%s@db/netraven" % PASSWORD
    assert resolve_db_url(None) == resolve_db_url("")


def test_default_is_sqlite_under_xdg_data_home(tmp_path):
    expected = os.path.join(str(tmp_path / "xdg"), "netraven", "netraven.db")
    assert default_sqlite_path() == expected
    assert resolve_db_url() == "sqlite:///" + expected


@pytest.mark.parametrize("xdg", [None, ""])
def test_default_falls_back_to_home_local_share(monkeypatch, tmp_path, xdg):
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME")
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = os.path.join(str(tmp_path / "home"), ".local", "share", "netraven", "netraven.db")
    assert resolve_db_url() == "sqlite:///" + expected
