"""Bad input to the management modules, through one real ansible-playbook run per backend.

Each refusal is one line naming the culprit, without a traceback or a secret, and the
database is exactly as it was.
"""

import json

import pytest

from _manage_helpers import dump_database, raw_sqlite_bytes, recap, run_playbook  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._history._versions import config_history, read_text
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._errors import DatabaseValueError
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._lifecycle import start_job
from ansible_collections.netraven.netraven.plugins.module_utils._manage._credentials import ensure_credential
from ansible_collections.netraven.netraven.plugins.module_utils._manage._devices import ensure_device
from ansible_collections.netraven.netraven.plugins.module_utils._manage._tags import ensure_tag

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "Errors-Pw-Admin-6c3d"
URL_PASSWORD = "Db-Url-Secret-91qz"


def _seed(url, key):
    engine = create_db_engine(url)
    try:
        ensure_tag(engine, "core")
        ensure_device(engine, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core"])
        ensure_credential(engine, lambda: secret_box_for(engine, key), username="admin", password=ADMIN_PASSWORD, tags=["core"])
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


def test_values_the_drivers_refuse_are_one_line_errors(ansible_env, db_url, encryption_key, tmp_path, backend):
    """2**70 as an id, a NUL and a lone surrogate in text, through the modules: one line each, no traceback.

    The management and history modules run in the controller's worker (their action plugins),
    so a lone surrogate reaches the core, which refuses it in one line like the other values.
    (Through a module it would never reach the collection's code: ansible-core's AnsibleModule
    fails on it first.) The cores' own mapping of it is proven by the next test.
    """
    _seed(db_url, encryption_key)
    results_file = tmp_path / "results.json"
    process = run_playbook("driver_values.yml", ansible_env, "-e", "results_file=%s" % results_file)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    results = json.loads(results_file.read_text())
    print(json.dumps({task: result.get("msg") for task, result in results.items()}, indent=1))
    refused = " refused a value: "
    database = "Database %s" % ("sqlite:///" if backend == "sqlite" else "postgresql+psycopg2://postgres:***@")
    too_large = "Python int too large to convert to SQLite INTEGER"
    nul = "A string literal cannot contain NUL (0x00) characters."
    sqlite = backend == "sqlite"
    expected = {
        # SQLite's driver refuses integers beyond 64 bits; PostgreSQL compares them as numerics.
        "job_finish_huge": (refused, too_large) if sqlite else ("Job 1180591620717411303424 does not exist",),
        "job_join_huge": (refused, too_large) if sqlite else ("Job 1180591620717411303424 does not exist",),
        "credential_huge": (refused, too_large) if sqlite else (refused, "integer out of range"),
        "config_info_huge": (refused, too_large) if sqlite else ("Device r1 has no config_id 1180591620717411303424",),
        "device_info_huge": (refused, too_large) if sqlite else ("Job 1180591620717411303424 does not exist",),
        # SQLite stores a NUL like any character; psycopg2 refuses it.
        "tag_nul": None if sqlite else (refused, nul),
        "device_nul": None if sqlite else (refused, nul),
        "config_info_nul": ("Unknown device 'r\\x00'",) if sqlite else (refused, nul),
        # Both drivers refuse to encode a lone surrogate.
        "tag_surrogate": (refused, "surrogate"),
        "device_surrogate": (refused, "surrogate"),
        "credential_surrogate": (refused, "surrogate"),
        "config_info_surrogate": (refused, "surrogate"),
    }
    for task, parts in expected.items():
        result = results[task]
        assert "exception" not in result and "Traceback" not in str(result.get("msg")), (task, result)
        if parts is None:  # stored: the task did not fail
            assert "failed_when_suppressed_exception" not in result and "msg" not in result, (task, result)
            continue
        message = result.get("msg", "")
        assert "\n" not in message, (task, message)
        assert all(part in message for part in parts), (task, message)
        assert refused not in message or message.startswith(database), (task, message)
        assert result.get("changed") is False, (task, result)
    assert "Traceback" not in process.stdout + process.stderr


def test_lone_surrogates_reaching_the_cores_are_one_line_errors(db_url, encryption_key):
    """Text with a lone surrogate (as Ansible's surrogateescape makes from bytes that are not UTF-8), into each core."""
    _seed(db_url, encryption_key)
    engine = create_db_engine(db_url)
    calls = {
        "tag": lambda: ensure_tag(engine, "s", description="a\ud800b"),
        "device": lambda: ensure_device(engine, "r1", description="x\udcffy"),
        "credential": lambda: ensure_credential(engine, lambda: secret_box_for(engine, encryption_key), name="admin",
                                                description="c\ud800"),
        "config_info": lambda: config_history(engine, {"device": "r\ud800"}),
        "config lookup": lambda: read_text(engine, "r\udc80"),
        "job": lambda: start_job(engine, lambda: secret_box_for(engine), name="job \ud800"),
    }
    try:
        before = dump_database(db_url)
        for name, call in calls.items():
            with pytest.raises(DatabaseValueError) as refused:
                call()
            message = str(refused.value)
            assert message.startswith("Database ") and " refused a value: 'utf-8' codec can't encode character '\\ud" in message \
                or "'\\udc" in message, (name, message)
            assert "\n" not in message, name
        assert dump_database(db_url) == before
    finally:
        engine.dispose()
