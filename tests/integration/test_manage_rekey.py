"""Finishing a key rotation with netraven.netraven.rekey, through real ansible-playbook runs per backend.

Check mode, then the database unchanged; a real run, then every password sealed under
the new key; a re-run changing nothing; and the new key alone then opening the passwords,
in Ansible's own hands (the credential module compares a password by decrypting it). No
passphrase, password or ciphertext appears in any output.
"""

import json

import pytest
import sqlalchemy as sa
from _manage_helpers import dump_database, run_playbook  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._manage._credentials import ensure_credential
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential

pytestmark = pytest.mark.slow

OLD_KEY = "Old-Rotation-Passphrase-7f"
NEW_KEY = "New-Rotation-Passphrase-2k"
PASSWORDS = {"netops": "Netops-Rekey-Pw-41", "fallback": "Fallback-Rekey-Pw-93"}


def _seed(url):
    engine = create_db_engine(url)
    try:
        for name, password in PASSWORDS.items():
            ensure_credential(engine, lambda: secret_box_for(engine, OLD_KEY), name=name, username=name, password=password)
    finally:
        engine.dispose()


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

    def rekey(*args):
        process = run_playbook("rekey.yml", env, "-e", "results_file=%s" % results, *args)
        outputs.append(process.stdout + process.stderr + results.read_text())
        assert process.returncode == 0, process.stdout[-3000:]
        return json.loads(results.read_text())

    before = dump_database(db_url)
    result = rekey("--check")
    assert (result["changed"], sorted(result["rekeyed"]), result["current"], result["total"]) == (
        True, ["fallback", "netops"], 0, 2)
    assert dump_database(db_url) == before

    result = rekey("-e", "new_key=%s" % NEW_KEY, "-e", "netops_password=%s" % PASSWORDS["netops"])
    assert (result["changed"], sorted(result["rekeyed"])) == (True, ["fallback", "netops"])
    engine = create_db_engine(db_url)
    new_only, old_only = secret_box_for(engine, NEW_KEY, old_keys=""), secret_box_for(engine, OLD_KEY, old_keys="")
    engine.dispose()
    assert {name: new_only.decrypt(token) for name, token in _tokens(db_url).items()} == PASSWORDS
    assert not [token for token in _tokens(db_url).values() if old_only.can_decrypt(token)]

    after = dump_database(db_url)
    result = rekey()
    assert (result["changed"], result["rekeyed"], result["current"]) == (False, [], 2)
    assert dump_database(db_url) == after

    text = "\n".join(outputs)
    assert not [secret for secret in [OLD_KEY, NEW_KEY] + list(PASSWORDS.values()) if secret in text]
    assert "gAAAA" not in text
