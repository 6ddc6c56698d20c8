"""config_info and the config lookup through a real ansible-playbook run, on SQLite and PostgreSQL.

Two stored versions of one device (the second adds a line and a templated string) and the latest
of others: versions, version 2, the diff's exact lines, search and absent, the lookup's text, and
the templated string staying inert (it would create a file if Ansible templated it). Bad input is
one line each.
"""

import json

import pytest
import sqlalchemy as sa
from _manage_helpers import dump_database, run_playbook  # pylint: disable=import-error

from _databases import TEST_KEY  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import install_salt, secret_box
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, DeviceConfiguration

pytestmark = pytest.mark.slow

FIRST = "hostname core-1\ninterface Gi1\n description uplink\n"
OTHER_KEY = "another-install-passphrase"


def _seed(url, marker):
    second = FIRST + " description added-by-test\nbanner motd {{ lookup('pipe', 'touch %s') }}\n" % marker
    engine = sa.create_engine(url)
    # Sealed as the backup seals (the install's salt), without the key check, as another install's tool would.
    other_box = secret_box(OTHER_KEY, old_keys="", install_salt=install_salt(engine))
    own_box = secret_box(TEST_KEY, old_keys="", install_salt=install_salt(engine))
    with engine.begin() as connection:
        connection.execute(sa.insert(Device), [
            {"hostname": name, "ip_address": "192.0.2.%d" % index, "device_type": "cisco_ios", "enabled": True}
            for index, name in enumerate(("core-1", "edge-1", "edge-2"), start=1)])
        ids = dict(connection.execute(sa.select(Device.hostname, Device.id)).all())
        for hostname, text in (("core-1", FIRST), ("edge-1", "hostname edge-1\n"), ("edge-2", "hostname edge-2\n"),
                               ("core-1", second)):
            # edge-1's original is sealed with a passphrase the runs do not know: reveal must say so in one line.
            # edge-2's with the runs' own key, which so proves itself this install's key (_key_check).
            original = {"edge-1": other_box, "edge-2": own_box}.get(hostname)
            original = original.encrypt(text) if original else None
            connection.execute(sa.insert(DeviceConfiguration).values(
                device_id=ids[hostname], config_data=text, data_hash=str(hash(text)), original=original))
    engine.dispose()
    return second


def test_read_history_and_lookup_stays_inert(ansible_env, db_url, tmp_path):
    marker = tmp_path / "templated-marker"
    second = _seed(db_url, marker)
    results = tmp_path / "history.json"
    before = dump_database(db_url)
    process = run_playbook("../history/read.yml", ansible_env, "-e", "results_file=%s" % results,
                           "-e", "changed_device=core-1", "-e", "new_line_regex=added-by-test")
    assert process.returncode == 0, process.stdout[-3000:]
    data = json.loads(results.read_text())
    assert len(data["versions"]["versions"]) == 2 and data["versions"]["changed"] is False
    assert data["previous"]["config"] == FIRST
    changed = [line for line in data["change"]["unified_diff"].splitlines()[2:] if line[:1] in "+-"]
    assert changed == ["+ description added-by-test", "+" + second.splitlines()[-1]]
    assert data["change"]["diff_stats"] == {"added": 2, "removed": 0}
    assert [m["hostname"] for m in data["found"]["matches"]] == ["core-1"]
    assert [m["hostname"] for m in data["missing"]["matches"]] == ["edge-1", "edge-2"]
    assert data["latest"] == second and data["both"] == [FIRST, FIRST]
    assert (tmp_path / "history.json.text").read_text() == second
    assert not marker.exists()
    assert dump_database(db_url) == before


def test_bad_input_is_one_line_each(ansible_env, db_url, tmp_path):
    _seed(db_url, tmp_path / "unused")
    cases = [({"search": "("}, "'('"), ({"device": "ghost-9"}, "'ghost-9'"),
             ({"device": "core-1", "version": 5}, "version 5"),
             ({"device": "core-1", "version": 1, "config_id": 1}, "version and config_id"),
             ({"search": "x", "tags": ["ghost-tag"]}, "ghost-tag"),
             ({"search": "x", "reveal": True}, "combined with search"),
             ({"device": "core-1", "reveal": True}, "select it with version, config_id or at"),
             ({"device": "core-1", "diff_against": 2, "reveal": True}, "combined with diff_against"),
             ({"device": "core-1", "version": 1, "reveal": True, "_no_log": True}, "has no sealed original"),
             ({"device": "edge-1", "version": 1, "reveal": True, "_no_log": True},
              "NETRAVEN_ENCRYPTION_KEY cannot open the sealed original of edge-1"),
             # Without no_log the unmasked text would reach the output and the logs.
             ({"device": "edge-1", "version": 1, "reveal": True}, "run the task with no_log: true"),
             ({"device": "core-1", "version": 0}, "version 0"),
             ({"device": "core-1", "at": "yesterday"}, "'yesterday'")]
    results = tmp_path / "bad.json"
    process = run_playbook("../history/bad.yml", ansible_env, "-e", "results_file=%s" % results,
                           "-e", "cases=%s" % json.dumps(json.dumps([
                               {"args": {k: v for k, v in case[0].items() if k != "_no_log"}, "no_log": "_no_log" in case[0]}
                               for case in cases])))
    assert process.returncode == 0, process.stdout[-3000:]
    messages = json.loads(results.read_text())
    for (args, culprit), message in zip(cases, messages):
        assert culprit in message and "\n" not in message, (args, message)
    assert "Traceback" not in process.stdout + process.stderr
    assert len(messages) == len(cases) and OTHER_KEY not in process.stdout + process.stderr
