"""Bad input to the management modules, through one real ansible-playbook run per backend.

Each refusal is one line naming the culprit, without a traceback or a secret, and the
database is exactly as it was.
"""

import json

from _manage_helpers import dump_database, raw_sqlite_bytes, recap, run_playbook  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box
from ansible_collections.netraven.netraven.plugins.module_utils._database import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._manage_credentials import ensure_credential
from ansible_collections.netraven.netraven.plugins.module_utils._manage_devices import ensure_device
from ansible_collections.netraven.netraven.plugins.module_utils._manage_tags import ensure_tag

ADMIN_PASSWORD = "Errors-Pw-Admin-6c3d"
URL_PASSWORD = "Db-Url-Secret-91qz"


def _seed(url, key):
    engine = create_db_engine(url)
    try:
        ensure_tag(engine, "core")
        ensure_device(engine, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core"])
        ensure_credential(engine, lambda: secret_box(key), username="admin", password=ADMIN_PASSWORD, tags=["core"])
    finally:
        engine.dispose()


def test_bad_input_is_one_line_and_changes_nothing(ansible_env, db_url, encryption_key, tmp_path):
    _seed(db_url, encryption_key)
    before = dump_database(db_url)
    results_file = tmp_path / "results.json"
    process = run_playbook("bad_input.yml", ansible_env, "-e", "results_file=%s" % results_file,
                           "-e", "bad_url_password=%s" % URL_PASSWORD)
    assert process.returncode == 0, process.stdout[-3000:]
    assert recap(process)["failed"] == 0
    results = json.loads(results_file.read_text())

    expected = {
        "unknown_device_type": "Unknown device_type 'cisco_iso' (netmiko has no such platform): did you mean cisco_ios, ",
        "duplicate_ip": "Duplicate ip_address 192.0.2.1 for device 'r2': device 'r1' (id ",
        "duplicate_hostname": "Duplicate hostname 'R1': device 'r1' (id ",
        "device_unknown_tag": "Unknown tag in tags: no-such-tag (",
        "empty_password": "Credential 'newuser': the password must not be empty",
        "empty_password_update": "Credential 'admin': the password must not be empty",
        "credential_unknown_tag": "Unknown tag in tags: no-such-tag (",
        "malformed_url": "Invalid database URL 'postgresql+psycopg2://netraven:***@db.example.invalid:notaport/netraven'",
    }
    for task, prefix in expected.items():
        result = results[task]
        assert result.get("failed_when_result") is False and result.get("changed") is False, task
        assert result["msg"].startswith(prefix), (task, result["msg"])
        assert "\n" not in result["msg"], task
        assert "exception" not in result and "Traceback" not in result["msg"], task

    assert dump_database(db_url) == before, "bad input changed the database"
    output = process.stdout + process.stderr + results_file.read_text()
    assert "Traceback" not in output
    for secret in (ADMIN_PASSWORD, URL_PASSWORD):
        assert secret not in output
        assert secret not in dump_database(db_url)
    assert ADMIN_PASSWORD.encode() not in raw_sqlite_bytes(db_url)
