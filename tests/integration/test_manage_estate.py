"""The management modules through real ansible-playbook runs, on SQLite and PostgreSQL.

community.postgresql style: check mode first (the database must not change), apply
and verify, re-run and prove idempotence (changed=0 in the recap). The estate has
tags, 3 devices and 3 credentials with priorities and tags; the passwords must
appear nowhere in any output at -vvv --diff, nor in the database.
"""

import json

import pytest

from _manage_helpers import dump_database, raw_sqlite_bytes, recap, run_playbook  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Device, Tag

pytestmark = pytest.mark.slow

sa = pytest.importorskip("sqlalchemy")

PASSWORDS = {"admin": "Estate-Pw-Admin-4f1a", "core-ops": "Estate-Pw-CoreOps-8b2c", "fallback": "Estate-Pw-Fallback-0d9e"}


def _estate(url, key):
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as session:
            tags = {t.name: (t.type, t.description) for t in session.scalars(sa.select(Tag))}
            devices = {d.hostname: (d.ip_address, d.device_type, d.port, d.enabled, [t.name for t in d.tags])
                       for d in session.scalars(sa.select(Device))}
            box = secret_box_for(engine, key)
            credentials = {c.name: (c.username, c.priority, c.description, [t.name for t in c.tags], box.decrypt(c.password))
                           for c in session.scalars(sa.select(Credential))}
    finally:
        engine.dispose()
    return tags, devices, credentials


def test_estate_check_apply_rerun_and_no_password_anywhere(ansible_env, db_url, encryption_key, tmp_path):
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"estate_passwords": PASSWORDS}))
    extra = ("-e", "@%s" % secrets, "--diff")
    outputs = []

    empty = dump_database(db_url)
    checked = run_playbook("estate.yml", ansible_env, "--check", *extra)
    outputs.append(checked.stdout + checked.stderr)
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert recap(checked)["changed"] == 3
    assert dump_database(db_url) == empty, "check mode wrote to the database"

    applied = run_playbook("estate.yml", ansible_env, *extra)
    outputs.append(applied.stdout + applied.stderr)
    assert applied.returncode == 0, applied.stdout[-3000:]
    assert recap(applied)["changed"] == 3
    tags, devices, credentials = _estate(db_url, encryption_key)
    assert tags == {"site-paris": ("site", "Paris data centre"), "site-lyon": ("site", "Lyon office"),
                    "core": ("role", "Core switches")}
    assert devices == {
        "par-core-1": ("192.0.2.11", "cisco_ios", 22, True, ["core", "site-paris"]),
        "par-edge-1": ("192.0.2.12", "arista_eos", 2222, True, ["site-paris"]),
        "lyo-fw-1": ("2001:db8::21", "juniper_junos", 22, False, ["site-lyon"]),
    }
    assert credentials == {
        "admin": ("admin", 10, None, ["site-lyon", "site-paris"], PASSWORDS["admin"]),
        "core-ops": ("ops", 20, "Core operations", ["core"], PASSWORDS["core-ops"]),
        "fallback": ("netbackup", 500, None, ["core", "site-lyon", "site-paris"], PASSWORDS["fallback"]),
    }
    state = dump_database(db_url)

    rerun = run_playbook("estate.yml", ansible_env, *extra)
    outputs.append(rerun.stdout + rerun.stderr)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert recap(rerun) == {"ok": 3, "changed": 0, "unreachable": 0, "failed": 0}
    assert dump_database(db_url) == state, "an idempotent re-run rewrote rows (a password re-encrypted?)"

    # The diff showed the password marker, never the password or its ciphertext.
    assert '"password": "<changed>"' in outputs[1]
    everything = "\n".join(outputs) + dump_database(db_url)
    raw = raw_sqlite_bytes(db_url)
    for password in PASSWORDS.values():
        assert everything.count(password) == 0
        assert password.encode() not in raw
    assert "gAAAA" not in "\n".join(outputs), "a ciphertext reached the output"
