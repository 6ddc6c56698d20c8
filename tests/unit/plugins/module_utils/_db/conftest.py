# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the database tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def isolated_db_env(monkeypatch, tmp_path):
    """No NETRAVEN_DB_URL of the caller's, and the embedded default database under tmp_path/xdg."""
    monkeypatch.delenv("NETRAVEN_DB_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
