"""Upgrading a 0.1 database: version-1 credentials still back up and inventory; rekey re-seals them at version 2.

The credentials are sealed as release 0.1 sealed them (bare Fernet tokens, PBKDF2-SHA256 at
100,000 rounds with the static salt), by a derivation written in the test, not the
collection's. On each backend, through real ansible-playbook and ansible-inventory runs
against the device lab: the inventory lists the devices, playbooks/backup.yml backs up every
device (the first credential, and the fallback one), rekey in check mode and without the
passphrase of one credential writes nothing, rekey then re-seals every password at
``v2:`` under the current passphrase, a re-run changes nothing, and the backup works again
on the upgraded values. No password, passphrase, install salt or ciphertext appears in
any output.
"""

import json

import pytest

from _hardening import BACKUP_PLAYBOOK, hits, netraven_inventory, run  # pylint: disable=import-error
from _manage_helpers import dump_database, run_playbook  # pylint: disable=import-error
from _seed import seed  # pylint: disable=import-error

import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, InstallSecret

pytestmark = pytest.mark.slow

OLD_KEY = "Upgrade-Old-Passphrase-5q"
PASSWORDS = {"admin": "Upgrade-Admin-Pw-31", "fallback": "Upgrade-Fallback-Pw-77", "retired": "Upgrade-Retired-Pw-09"}
DEVICES = [("up-ios-1", "cisco_ios", "admin"), ("up-eos-1", "arista_eos", "admin"), ("up-ios-2", "cisco_ios", "fallback")]


def _tokens(url):
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            salt = connection.execute(sa.select(InstallSecret.value).where(InstallSecret.name == "kdf_salt")).scalar_one()
            return dict(connection.execute(sa.select(Credential.name, Credential.password)).all()), salt
    finally:
        engine.dispose()


def test_version1_credentials_back_up_and_rekey_upgrades_them(db_url, ansible_env, encryption_key, device_lab_process, tmp_path):
    lab = device_lab_process([{"name": name, "platform": platform,
                               "credentials": [{"username": user, "password": PASSWORDS[user], "privilege": 15}]}
                              for name, platform, user in DEVICES])
    seed(db_url, credentials=[{"name": "admin", "username": "admin", "password": PASSWORDS["admin"], "priority": 10, "tags": ["up"]},
                              {"name": "fallback", "username": "fallback", "password": PASSWORDS["fallback"], "priority": 20,
                               "tags": ["up"]}],
         devices=[{"hostname": name, "ip_address": lab.address(name), "port": lab.port(name), "device_type": platform, "tags": ["up"]}
                  for name, platform, _user in DEVICES], key=encryption_key, sealed_as=1)
    # A credential no device uses, sealed (at version 1) under a passphrase that was rotated out.
    seed(db_url, credentials=[{"name": "retired", "username": "retired", "password": PASSWORDS["retired"], "tags": ["unused"]}],
         key=OLD_KEY, sealed_as=1)
    v1_tokens, install_salt = _tokens(db_url)
    assert not [token for token in v1_tokens.values() if not token.startswith("gAAAAA")]
    inventory = netraven_inventory(tmp_path / "upgrade.netraven.yml")
    results = tmp_path / "rekey.json"
    outputs = []

    def step(label, *args, expect=0, env=ansible_env):
        proc = run(env, *args)
        outputs.append((label, proc.stdout + proc.stderr))
        assert proc.returncode == expect, (label, proc.stdout[-3000:], proc.stderr[-3000:])
        return proc

    def rekey(label, *args, env, expect=0):
        results.write_text("{}")
        proc = run_playbook("rekey.yml", env, "-e", "results_file=%s" % results, *args)
        outputs.append((label, proc.stdout + proc.stderr + results.read_text()))
        assert proc.returncode == expect, (label, proc.stdout[-3000:])
        return proc, json.loads(results.read_text())

    listing = step("inventory", "ansible-inventory", "-i", inventory, "--list")
    assert all(name in listing.stdout for name, _platform, _user in DEVICES)
    first = step("backup on version 1", "ansible-playbook", "-i", inventory, BACKUP_PLAYBOOK)
    assert "Devices: 3 targeted, 3 succeeded, 0 failed, 0 pending" in first.stdout
    assert _tokens(db_url)[0] == v1_tokens, "a backup opens the values, it does not re-seal them"

    # All or nothing: without the old passphrase 'retired' does not open, so nothing is re-sealed.
    before = dump_database(db_url)
    proc, _result = rekey("rekey without the old key", env=ansible_env, expect=2)
    assert "No configured key opens the password of 1 credential(s): 'retired' (id 3)" in proc.stdout
    assert dump_database(db_url) == before
    rotating = dict(ansible_env, NETRAVEN_ENCRYPTION_OLD_KEYS=OLD_KEY)
    _proc, result = rekey("rekey --check", "--check", env=rotating)
    assert (result["changed"], result["rekeyed"], result["current"], result["total"]) == (
        True, ["admin", "fallback", "retired"], 0, 3)
    assert dump_database(db_url) == before, "check mode writes nothing"

    _proc, result = rekey("rekey", env=rotating)
    assert (result["changed"], result["rekeyed"]) == (True, ["admin", "fallback", "retired"])
    upgraded, _salt = _tokens(db_url)
    assert all(token.startswith("v2:gAAAAA") for token in upgraded.values())
    engine = create_db_engine(db_url)
    try:
        current = secret_box_for(engine, encryption_key, old_keys="")
        assert {name: current.decrypt(token) for name, token in upgraded.items()} == PASSWORDS
        assert all(current.is_current(token) for token in upgraded.values())
    finally:
        engine.dispose()
    _proc, result = rekey("rekey again", env=ansible_env)
    assert (result["changed"], result["rekeyed"], result["current"]) == (False, [], 3)
    assert _tokens(db_url)[0] == upgraded

    second = step("backup on version 2", "ansible-playbook", "-i", inventory, BACKUP_PLAYBOOK)
    assert "Devices: 3 targeted, 3 succeeded, 0 failed, 0 pending" in second.stdout

    secrets = list(PASSWORDS.values()) + [encryption_key, OLD_KEY, install_salt]
    assert hits(secrets + list(v1_tokens.values()) + list(upgraded.values()) + ["gAAAAA"], outputs) == []
