# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netraven.netraven.rekey: finishing a key rotation without knowing the device passwords.

Real SQLite database, real encryption: check mode writes nothing, a run re-seals exactly
the passwords an old key or the old format (version 1) seals, a re-run changes nothing, the
old key can then go, and a password no configured key opens stops the task before anything
is written.
"""

from __future__ import annotations

import json

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import install_salt, secret_box, secret_box_for  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Device, DeviceConfiguration  # noqa: E402
from ansible_collections.netraven.netraven.plugins.modules import rekey  # noqa: E402

OLD, NEW, LOST = "old-rotation-passphrase", "new-rotation-passphrase", "lost-rotation-passphrase"
PASSWORDS = {"netops": "Netops-Pw-1", "fallback": "Fallback-Pw-2", "fresh": "Fresh-Pw-3"}


def sealer(engine, passphrase):
    """A box that seals with passphrase as another tool (or an older release) would: no key check."""
    return secret_box(passphrase, old_keys="", install_salt=install_salt(engine))


def seed(url, sealed_with, v1_seal=None):
    """One credential per name, its password sealed with the passphrase sealed_with[name] (at version 1 with v1_seal)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for name, passphrase in sealed_with.items():
            token = v1_seal(passphrase, PASSWORDS[name]) if v1_seal else sealer(engine, passphrase).encrypt(PASSWORDS[name])
            connection.execute(sa.insert(Credential).values(name=name, username=name, password=token))
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
    # This install had recorded no key yet: the rekey records NEW.
    assert result["msg"] == ("2 of 3 credential password(s) would be re-sealed under the current key; "
                             "NETRAVEN_ENCRYPTION_KEY would be recorded as the install's key")
    assert result["key_adopted"] is True
    assert tokens(sqlite_db_url) == before

    rc, result = run_module(rekey, args)
    outputs.append(result)
    assert (rc, result["changed"], result["rekeyed"]) == (0, True, ["netops", "fallback"])
    after = tokens(sqlite_db_url)
    assert after["fresh"] == before["fresh"] and after["netops"] != before["netops"]
    new_only = secret_box_for(sa.create_engine(sqlite_db_url), NEW)
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


def test_the_old_comma_syntax_is_named_with_the_new_variable(run_module, sqlite_db_url, v1_seal):
    """A rotation written the old way ('new,old' in the key) is refused with the fix, and nothing is written.

    The values of that time are version 1 (no prefix, the static salt).
    """
    seed(sqlite_db_url, {"netops": OLD, "fresh": NEW}, v1_seal)
    before = tokens(sqlite_db_url)
    rc, result = run_module(rekey, {"db_url": sqlite_db_url, "encryption_key": "%s,%s" % (NEW, OLD)})
    assert rc == 1 and "NETRAVEN_ENCRYPTION_OLD_KEYS" in result["msg"] and "comma" in result["msg"]
    assert tokens(sqlite_db_url) == before
    assert OLD not in json.dumps(result) and NEW not in json.dumps(result)


def test_without_a_key_the_rekey_fails_in_one_line(run_module, sqlite_db_url, monkeypatch):
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_KEY", raising=False)
    rc, result = run_module(rekey, {"db_url": sqlite_db_url})
    assert rc == 1 and result["msg"].startswith("NETRAVEN_ENCRYPTION_KEY is not set")


ORIGINALS = {"r1": "hostname r1\nenable secret 0 R1-Plain-Secret\n", "r2": "hostname r2\nsnmp-server community R2-Comm RO\n",
             "r3": "hostname r3\n"}


def seed_originals(url, sealed_with):
    """A device and one configuration per name, its original sealed with sealed_with[name] (None: no original)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for name, passphrase in sealed_with.items():
            device_id = connection.execute(sa.insert(Device).values(
                hostname=name, ip_address="192.0.2.%d" % (len(name) + int(name[-1])), device_type="cisco_ios")
                .returning(Device.id)).scalar_one()
            connection.execute(sa.insert(DeviceConfiguration).values(
                device_id=device_id, config_data="hostname %s\n" % name, data_hash=name,
                original=sealer(engine, passphrase).encrypt(ORIGINALS[name]) if passphrase else None))
    engine.dispose()


def originals(url):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = dict(connection.execute(sa.select(Device.hostname, DeviceConfiguration.original)
                                       .join(Device, Device.id == DeviceConfiguration.device_id)).all())
    engine.dispose()
    return rows


def test_rekey_reseals_the_configuration_originals_with_the_passwords(run_module, sqlite_db_url, monkeypatch):
    seed(sqlite_db_url, {"netops": OLD, "fresh": NEW})
    seed_originals(sqlite_db_url, {"r1": OLD, "r2": NEW, "r3": None})
    before = originals(sqlite_db_url)
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_OLD_KEYS", OLD)
    args = {"db_url": sqlite_db_url, "encryption_key": NEW}

    rc, check = run_module(rekey, dict(args, _ansible_check_mode=True))
    assert (rc, check["changed"], check["originals_rekeyed"], check["originals_current"], check["originals_total"]) == (
        0, True, 1, 1, 2)
    assert check["msg"] == ("1 of 2 credential password(s) would be re-sealed under the current key, "
                            "and 1 of 2 configuration original(s); NETRAVEN_ENCRYPTION_KEY would be recorded as the "
                            "install's key")
    assert originals(sqlite_db_url) == before

    rc, result = run_module(rekey, args)
    after = originals(sqlite_db_url)
    assert (rc, result["originals_rekeyed"], result["rekeyed"]) == (0, 1, ["netops"])
    assert after["r1"] != before["r1"] and after["r2"] == before["r2"] and after["r3"] is None
    new_only = secret_box_for(sa.create_engine(sqlite_db_url), NEW)
    assert {name: new_only.decrypt(after[name]) for name in ("r1", "r2")} == {name: ORIGINALS[name] for name in ("r1", "r2")}

    rc, again = run_module(rekey, args)
    assert (rc, again["changed"], again["originals_rekeyed"], again["originals_current"]) == (0, False, 0, 2)
    text = json.dumps([check, result, again])
    assert not [secret for secret in list(ORIGINALS.values()) + [OLD, NEW, "R1-Plain-Secret"] if secret in text]
    assert "gAAAA" not in text


def test_an_original_no_key_opens_stops_the_rekey_of_passwords_too(run_module, sqlite_db_url, monkeypatch):
    seed(sqlite_db_url, {"netops": OLD, "fresh": NEW})
    seed_originals(sqlite_db_url, {"r1": OLD, "r2": LOST})
    before, before_originals = tokens(sqlite_db_url), originals(sqlite_db_url)
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_OLD_KEYS", OLD)
    rc, result = run_module(rekey, {"db_url": sqlite_db_url, "encryption_key": NEW})
    assert rc == 1 and "\n" not in result["msg"]
    assert result["msg"].startswith("No configured key opens the sealed original of 1 configuration(s): r2 config_id 2. "
                                    "Nothing was re-sealed")
    assert tokens(sqlite_db_url) == before and originals(sqlite_db_url) == before_originals
    assert LOST not in json.dumps(result) and "R2-Comm" not in json.dumps(result)


def test_rekey_upgrades_version1_values_all_or_nothing(run_module, sqlite_db_url, monkeypatch, v1_seal):
    """0.1's values (version 1) open; rekey re-seals them at version 2 under the current key, once."""
    seed(sqlite_db_url, {"netops": NEW, "fallback": OLD}, v1_seal)
    seed(sqlite_db_url, {"fresh": NEW})
    before = tokens(sqlite_db_url)
    assert not before["netops"].startswith("v2:") and before["fresh"].startswith("v2:")
    args = {"db_url": sqlite_db_url, "encryption_key": NEW}

    # Without the old passphrase, 'fallback' does not open: nothing is re-sealed, not even 'netops'.
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_OLD_KEYS", raising=False)
    rc, result = run_module(rekey, args)
    assert rc == 1 and "'fallback' (id 2)" in result["msg"] and "Nothing was re-sealed" in result["msg"]
    assert tokens(sqlite_db_url) == before

    monkeypatch.setenv("NETRAVEN_ENCRYPTION_OLD_KEYS", OLD)
    rc, result = run_module(rekey, dict(args, _ansible_check_mode=True))
    assert (rc, result["changed"], result["rekeyed"], result["current"]) == (0, True, ["netops", "fallback"], 1)
    assert tokens(sqlite_db_url) == before

    rc, result = run_module(rekey, args)
    assert (rc, result["changed"], result["rekeyed"]) == (0, True, ["netops", "fallback"])
    after = tokens(sqlite_db_url)
    assert after["fresh"] == before["fresh"]
    assert all(token.startswith("v2:") for token in after.values())
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_OLD_KEYS")
    new_only = secret_box_for(sa.create_engine(sqlite_db_url), NEW)
    assert {name: new_only.decrypt(token) for name, token in after.items()} == PASSWORDS
    assert all(new_only.is_current(token) for token in after.values())

    rc, result = run_module(rekey, args)
    assert (rc, result["changed"], result["rekeyed"], result["current"]) == (0, False, [], 3)
    assert tokens(sqlite_db_url) == after
