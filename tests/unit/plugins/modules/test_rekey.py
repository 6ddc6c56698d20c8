# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netraven.netraven.rekey: finishing a key rotation without knowing the device passwords.

Real SQLite database, real encryption: check mode writes nothing, a run re-seals exactly
the passwords an old key seals, a re-run changes nothing, the old key can then go, and a
password no configured key opens stops the task before anything is written.
"""

from __future__ import annotations

import json

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._models import Credential  # noqa: E402
from ansible_collections.netraven.netraven.plugins.modules import rekey  # noqa: E402

OLD, NEW, LOST = "old-rotation-passphrase", "new-rotation-passphrase", "lost-rotation-passphrase"
PASSWORDS = {"netops": "Netops-Pw-1", "fallback": "Fallback-Pw-2", "fresh": "Fresh-Pw-3"}


def seed(url, sealed_with):
    """One credential per name, its password sealed with the passphrase sealed_with[name]."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for name, passphrase in sealed_with.items():
            connection.execute(sa.insert(Credential).values(
                name=name, username=name, password=secret_box(passphrase).encrypt(PASSWORDS[name])))
    engine.dispose()


def tokens(url):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = dict(connection.execute(sa.select(Credential.name, Credential.password)).all())
    engine.dispose()
    return rows


def test_rekey_reseals_old_passwords_once_and_the_old_key_can_go(run_module, sqlite_db_url, monkeypatch):
    seed(sqlite_db_url, {"netops": OLD, "fallback": OLD, "fresh": NEW})
    before = tokens(sqlite_db_url)
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_OLD_KEYS", OLD)
    args = {"db_url": sqlite_db_url, "encryption_key": NEW}
    outputs = []

    rc, result = run_module(rekey, dict(args, _ansible_check_mode=True))
    outputs.append(result)
    assert (rc, result["changed"], result["rekeyed"], result["current"], result["total"]) == (
        0, True, ["netops", "fallback"], 1, 3)
    assert result["msg"] == "2 of 3 credential password(s) would be re-sealed under the current key"
    assert tokens(sqlite_db_url) == before

    rc, result = run_module(rekey, args)
    outputs.append(result)
    assert (rc, result["changed"], result["rekeyed"]) == (0, True, ["netops", "fallback"])
    after = tokens(sqlite_db_url)
    assert after["fresh"] == before["fresh"] and after["netops"] != before["netops"]
    new_only = secret_box(NEW)
    assert {name: new_only.decrypt(token) for name, token in after.items()} == PASSWORDS

    rc, result = run_module(rekey, args)
    outputs.append(result)
    assert (rc, result["changed"], result["rekeyed"], result["current"]) == (0, False, [], 3)
    assert tokens(sqlite_db_url) == after

    text = json.dumps(outputs)
    assert not [secret for secret in list(PASSWORDS.values()) + [OLD, NEW] if secret in text]
    assert "gAAAA" not in text


def test_a_password_no_key_opens_stops_the_rekey_before_any_write(run_module, sqlite_db_url, monkeypatch):
    seed(sqlite_db_url, {"netops": OLD, "fallback": LOST, "fresh": NEW})
    before = tokens(sqlite_db_url)
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_OLD_KEYS", OLD)
    rc, result = run_module(rekey, {"db_url": sqlite_db_url, "encryption_key": NEW})
    assert rc == 1
    assert result["msg"].startswith("No configured key opens the password of 1 credential(s): 'fallback' (id 2). "
                                    "Nothing was re-sealed")
    assert tokens(sqlite_db_url) == before
    assert LOST not in json.dumps(result) and OLD not in json.dumps(result)


def test_the_old_comma_syntax_is_named_with_the_new_variable(run_module, sqlite_db_url):
    """A rotation written the old way ('new,old' in the key) is refused with the fix, and nothing is written."""
    seed(sqlite_db_url, {"netops": OLD, "fresh": NEW})
    before = tokens(sqlite_db_url)
    rc, result = run_module(rekey, {"db_url": sqlite_db_url, "encryption_key": "%s,%s" % (NEW, OLD)})
    assert rc == 1 and "NETRAVEN_ENCRYPTION_OLD_KEYS" in result["msg"] and "comma" in result["msg"]
    assert tokens(sqlite_db_url) == before
    assert OLD not in json.dumps(result) and NEW not in json.dumps(result)


def test_without_a_key_the_rekey_fails_in_one_line(run_module, sqlite_db_url, monkeypatch):
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_KEY", raising=False)
    rc, result = run_module(rekey, {"db_url": sqlite_db_url})
    assert rc == 1 and result["msg"].startswith("NETRAVEN_ENCRYPTION_KEY is not set")
