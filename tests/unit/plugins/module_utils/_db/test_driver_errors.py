# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A driver's error becomes one line naming the database, with the URL's password masked in both."""

from __future__ import annotations

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db._driver_errors import database_error
from ansible_collections.netraven.netraven.tests.unit.plugins.module_utils._db._url_checks import PASSWORD


def test_database_error_masks_a_password_in_the_driver_message():
    url = "postgresql+psycopg2://nr:%s@db/netraven" % PASSWORD
    error = database_error(RuntimeError('password "%s" rejected\nDETAIL: more' % PASSWORD), url)
    assert str(error) == 'Database postgresql+psycopg2://nr:***@db/netraven is unavailable: password "***" rejected'


@pytest.mark.parametrize("url, echoed", [
    ("postgresql://nr:pw@127.0.0.1/netraven?sslpassword=%s&sslkey=/k.pem" % PASSWORD, "bad passphrase %s" % PASSWORD),
    ("postgresql://nr:Se@cr/%s@127.0.0.1/netraven" % PASSWORD, 'database "%s@127.0.0.1/netraven" does not exist' % PASSWORD),
])
def test_driver_text_is_scrubbed_of_every_url_secret(url, echoed):
    class DriverError(Exception):
        pass

    message = str(database_error(DriverError(echoed), url))
    assert PASSWORD not in message and "***" in message and "\n" not in message, message
