# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A driver's error becomes one line naming the database, with the URL's password masked in both."""

from __future__ import annotations

from ansible_collections.netraven.netraven.plugins.module_utils._db._driver_errors import database_error
from ansible_collections.netraven.netraven.tests.unit.plugins.module_utils._db._url_checks import PASSWORD


def test_database_error_masks_a_password_in_the_driver_message():
    url = "postgresql+psycopg2://nr:%s@db/netraven" % PASSWORD
    error = database_error(RuntimeError('password "%s" rejected\nDETAIL: more' % PASSWORD), url)
    assert str(error) == 'Database postgresql+psycopg2://nr:***@db/netraven is unavailable: password "***" rejected'
