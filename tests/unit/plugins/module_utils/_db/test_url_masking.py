# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A database URL's password is masked in every message, whatever characters it holds and wherever it stands."""

from __future__ import annotations

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db._url_masking import mask_text, mask_url
from ansible_collections.netraven.netraven.tests.unit.plugins.module_utils._db._url_checks import PASSWORD, assert_clean_one_line


@pytest.mark.parametrize("url, masked", [
    ("postgresql+psycopg2://nr:Secr3tPw@db:5432/netraven", "postgresql+psycopg2://nr:***@db:5432/netraven"),
    ("postgresql://nr:Secr3tPw@db/netraven", "postgresql://nr:***@db/netraven"),
    ("postgresql://nr:Secr3tPw@db", "postgresql://nr:***@db"),
    ("postgresql://nr:Secr3tPw@[::1]:5432/netraven", "postgresql://nr:***@[::1]:5432/netraven"),
    ("postgresql://:Secr3tPw@db/netraven", "postgresql://:***@db/netraven"),
    ("POSTGRESQL://nr:Secr3tPw@db/netraven", "POSTGRESQL://nr:***@db/netraven"),
    ("mysql+pymysql://nr:Secr3tPw@db/netraven?charset=utf8mb4", "mysql+pymysql://nr:***@db/netraven?charset=utf8mb4"),
    # Percent-encoded and unencoded special characters inside the password.
    ("postgresql://nr:Secr3tPw%40x@db/netraven", "postgresql://nr:***@db/netraven"),
    ("postgresql://nr:Se:cr/3tPw@db/netraven", "postgresql://nr:***@db/netraven"),
    ("postgresql://nr:Secr3tPw@x@db/netraven", "postgresql://nr:***@db/netraven"),
    ("postgresql://nr:Se@cr3tPw@db/netraven?options=-c%20a@b", "postgresql://nr:***@db/netraven?options=-c%20a@b"),
    # libpq also takes the password as a query parameter.
    ("postgresql+psycopg2:///netraven?host=/run/postgresql&user=nr&password=Secr3tPw",
     "postgresql+psycopg2:///netraven?host=/run/postgresql&user=nr&password=***"),
    ("postgresql://nr@db/netraven?PASSWORD=Secr3tPw&sslmode=require", "postgresql://nr@db/netraven?PASSWORD=***&sslmode=require"),
    # Every query value whose key holds pass, token, secret or key: libpq's client key passphrase, and the like.
    ("postgresql://nr:pw@db/netraven?sslmode=verify-full&sslpassword=Secr3tPw",
     "postgresql://nr:***@db/netraven?sslmode=verify-full&sslpassword=***"),
    ("postgresql://db/netraven?api_token=Secr3tPw&x=1&ClientSecret=Secr3tPw&SSLKEY=Secr3tPw",
     "postgresql://db/netraven?api_token=***&x=1&ClientSecret=***&SSLKEY=***"),
    # An unencoded '@' followed by '/' inside the password: the host is the last '@' before the query.
    ("postgresql+psycopg2://nr:Se@cr/3tPw@db.example.com:5432/netraven",
     "postgresql+psycopg2://nr:***@db.example.com:5432/netraven"),
    ("postgresql://nr:Se@cr/3tPw@db/netraven?application_name=a@b", "postgresql://nr:***@db/netraven?application_name=a@b"),
    # A URL that does not parse (an unbalanced '[') still has its userinfo masked.
    ("postgresql://nr:Secr3tPw@[fe80::1/netraven", "postgresql://nr:***@[fe80::1/netraven"),
    # Malformed shapes still get masked.
    ("://nr:Secr3tPw@db/netraven", "://nr:***@db/netraven"),
    ("nr:Secr3tPw@db:5432/netraven", "nr:***@db:5432/netraven"),
    # Inside a message.
    ("cannot reach 'postgresql://nr:Secr3tPw@db/netraven': refused", "cannot reach 'postgresql://nr:***@db/netraven': refused"),
])
def test_mask_url_hides_the_password(url, masked):
    assert mask_url(url) == masked
    assert_clean_one_line(mask_url(url))


@pytest.mark.parametrize("url", [
    "sqlite:////var/lib/netraven/netraven.db",
    "sqlite:///relative.db",
    "sqlite://",
    "postgresql://nr@db:5432/netraven",
    "postgresql://db:5432/netraven",
    "connection to server at \"127.0.0.1\", port 5432 failed: Connection refused",
])
def test_mask_url_leaves_password_free_text_alone(url):
    assert mask_url(url) == url


def test_mask_url_of_nothing():
    assert mask_url(None) == "" and mask_url("") == ""


def test_mask_text_removes_a_password_a_driver_echoes():
    url = "postgresql+psycopg2://nr:%s@db/netraven" % PASSWORD
    assert mask_text('FATAL: bad password "%s" for user "nr"' % PASSWORD, url) == 'FATAL: bad password "***" for user "nr"'
    query_url = "postgresql+psycopg2://db/netraven?user=nr&password=%s" % PASSWORD
    assert PASSWORD not in mask_text("rejected %s" % PASSWORD, query_url)


# Passwords the old regex mask let through, or whose tail leaked through driver text.
AWKWARD_PASSWORDS = ["correct horse", "p@ss@word", "a:b:c", "sl/ash", "per%25cent", "pässwörd-ü", "x y@z:/%"]


@pytest.mark.parametrize("password", AWKWARD_PASSWORDS)
def test_mask_url_hides_any_password(password):
    from urllib.parse import quote_plus, unquote_plus  # pylint: disable=import-outside-toplevel
    for written in (quote_plus(password), password):
        url = "postgresql+psycopg2://netraven:%s@db.example.com:5432/netraven" % written
        masked = mask_url(url)
        for part in (password, written, unquote_plus(written)):
            assert part not in masked, masked
        assert "db.example.com" in masked and "netraven" in masked


@pytest.mark.parametrize("password", AWKWARD_PASSWORDS)
def test_mask_text_scrubs_the_decoded_password_from_driver_text(password):
    from urllib.parse import quote_plus  # pylint: disable=import-outside-toplevel
    url = "postgresql+psycopg2://netraven:%s@db.example.com/netraven" % quote_plus(password)
    text = 'connection to server failed: password "%s" / %s rejected' % (password, quote_plus(password))
    masked = mask_text(text, url)
    assert password not in masked and quote_plus(password) not in masked
