# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures every test tree shares (tests/unit, also under ``ansible-test units``, and tests/integration).

Each tree says what its fresh database is (``db_url``: an SQLite file built from the models in
tests/unit, a migrated database per backend in tests/integration); the engine on it is made
here, once, by the collection's own factory.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def engine(db_url):
    """An engine on this test's fresh database, made as the modules make theirs (create_db_engine: WAL, foreign keys)."""
    from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine  # pylint: disable=import-outside-toplevel

    made = create_db_engine(db_url)
    yield made
    made.dispose()
