"""Finishing a key rotation with netraven.netraven.rekey, through real ansible-playbook runs per backend.

Until the rekey, the new key is refused by every other task (the install records its key):
a credential write seals nothing and a job start opens nothing. Check mode,
then the database unchanged; a real run, then every password sealed under the new key and the
new key recorded; a re-run changing nothing; and the new key alone then opening the passwords,
in Ansible's own hands (the credential module compares a password by decrypting it). Then a
typo in the new key, with the right one among the old keys, is refused in the same way. No
passphrase, password or ciphertext appears in any output.
"""

import json

import pytest
import sqlalchemy as sa
from _manage_helpers import dump_database, run_playbook  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import install_salt, secret_box, secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._manage._credentials import ensure_credential
from ansible_collections.netraven.netraven.plugins.module_utils._manage._devices import ensure_device
from ansible_collections.netraven.netraven.plugins.module_utils._manage._tags import ensure_tag
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, InstallSecret

pytestmark = pytest.mark.slow

OLD_KEY = "Old-Rotation-Passphrase-7f"
NEW_KEY = "New-Rotation-Passphrase-2k"
PASSWORDS = {"netops": "Netops-Rekey-Pw-41", "fallback": "Fallback-Rekey-Pw-93"}


TYPO_KEY = "New-Rotation-Passphrase-2K"
NEW_PASSWORD = "Written-Under-Wrong-Key-5"


def _seed(url):
    """Two credentials and a device whose chain holds them; the first write records OLD_KEY as the install's key."""
    engine = create_db_engine(url)
    try:
        ensure_tag(engine, "core")
        for name, password in PASSWORDS.items():
            ensure_credential(engine, lambda: secret_box_for(engine, OLD_KEY), name=name, username=name, password=password,
                              tags=["core"])
        ensure_device(engine, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core"])
    finally:
        engine.dispose()


def _recorded(url):
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.select(InstallSecret.value).where(InstallSecret.name == "key_check")).scalar()
    finally:
        engine.dispose()


def _refused(env, tmp_path, outputs):
    """key_refused.yml with env's key: both tasks fail in one line; no password written, none opened."""
    results = tmp_path / "refused.json"
    before = (_tokens(env["NETRAVEN_DB_URL"]), _recorded(env["NETRAVEN_DB_URL"]))
    process = run_playbook("key_refused.yml", env, "-e", "results_file=%s" % results, "-e", "new_password=%s" % NEW_PASSWORD)
    outputs.append(process.stdout + process.stderr + results.read_text())
    assert process.returncode == 0, process.stdout[-3000:]
    data = json.loads(results.read_text())
    assert data["written"]["failed"] is True and "\n" not in data["written"]["msg"]
    assert data["started"]["status"] == "FAILED_CREDENTIAL_RESOLUTION"
    assert (_tokens(env["NETRAVEN_DB_URL"]), _recorded(env["NETRAVEN_DB_URL"])) == before
    return data["written"]["msg"], data["started"]["msg"]


def _tokens(url):
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(sa.select(Credential.name, Credential.password)).all())
    finally:
        engine.dispose()


def test_rekey_check_run_rerun_and_the_new_key_alone(ansible_env, db_url, tmp_path):
    _seed(db_url)
    env = dict(ansible_env, NETRAVEN_ENCRYPTION_KEY=NEW_KEY, NETRAVEN_ENCRYPTION_OLD_KEYS=OLD_KEY)
    results = tmp_path / "rekey.json"
    outputs = []
    # Before the rekey, the new key is refused everywhere else, naming the fix.
    for message in _refused(env, tmp_path, outputs):
        assert ("NETRAVEN_ENCRYPTION_KEY is not the key this install records" in message
                and "NETRAVEN_ENCRYPTION_OLD_KEYS holds it: run netraven.netraven.rekey" in message), message

    def rekey(*args):
        process = run_playbook("rekey.yml", env, "-e", "results_file=%s" % results, *args)
        outputs.append(process.stdout + process.stderr + results.read_text())
        assert process.returncode == 0, process.stdout[-3000:]
        return json.loads(results.read_text())

    before = dump_database(db_url)
    result = rekey("--check")
    assert (result["changed"], sorted(result["rekeyed"]), result["current"], result["total"], result["key_adopted"]) == (
        True, ["fallback", "netops"], 0, 2, True)
    assert dump_database(db_url) == before

    old_record = _recorded(db_url)
    result = rekey("-e", "new_key=%s" % NEW_KEY, "-e", "netops_password=%s" % PASSWORDS["netops"])
    assert (result["changed"], sorted(result["rekeyed"]), result["key_adopted"]) == (True, ["fallback", "netops"], True)
    assert _recorded(db_url) not in (None, old_record)
    engine = create_db_engine(db_url)
    new_only = secret_box_for(engine, NEW_KEY, old_keys="")
    old_only = secret_box(OLD_KEY, old_keys="", install_salt=install_salt(engine))  # no key check: it is refused now
    engine.dispose()
    assert {name: new_only.decrypt(token) for name, token in _tokens(db_url).items()} == PASSWORDS
    assert not [token for token in _tokens(db_url).values() if old_only.can_decrypt(token)]

    after = dump_database(db_url)
    result = rekey()
    assert (result["changed"], result["rekeyed"], result["current"], result["key_adopted"]) == (False, [], 2, False)
    assert dump_database(db_url) == after

    # A typo in the current key, the right one among the old keys. Before, everything opened and the
    # new password was sealed under the typo; now both tasks are refused and nothing is sealed.
    typo_env = dict(env, NETRAVEN_ENCRYPTION_KEY=TYPO_KEY, NETRAVEN_ENCRYPTION_OLD_KEYS=NEW_KEY)
    for message in _refused(typo_env, tmp_path, outputs):
        assert "NETRAVEN_ENCRYPTION_KEY is not the key this install records" in message, message
    # (The old comma syntax, 'new,old' in the key, is refused the same way: unit test_key_check.py.)

    text = "\n".join(outputs)
    assert not [secret for secret in [OLD_KEY, NEW_KEY, TYPO_KEY, NEW_PASSWORD] + list(PASSWORDS.values()) if secret in text]
    assert "gAAAA" not in text
