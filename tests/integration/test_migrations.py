"""Alembic migrations on SQLite and PostgreSQL (docs/architecture.md: "Database and encryption").

Upgrade, downgrade and upgrade again must work on both backends, and afterwards
Alembic's autogenerate comparison must find nothing between the models and the
migrated schema. SQLite batch migrations copy tables; the data test guards against
those copies cascading deletes into child tables.
"""

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ansible_collections.netraven.netraven.plugins.module_utils._db import _migrations
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._errors import SchemaNotReadyError
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import SCHEMA_REVISION, Base

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def schema_diff(url):
    """Alembic's autogenerate differences between the models and the database."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def table_names(url):
    engine = create_db_engine(url, check_schema=False)
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_models_match(empty_db_url):
    assert _migrations.current_revision(empty_db_url) is None

    assert _migrations.upgrade(empty_db_url) == (None, SCHEMA_REVISION)
    assert set(Base.metadata.tables) <= table_names(empty_db_url)

    assert _migrations.downgrade(empty_db_url, "base") == (SCHEMA_REVISION, None)
    assert table_names(empty_db_url) <= {"alembic_version"}

    assert _migrations.upgrade(empty_db_url, "head") == (None, SCHEMA_REVISION)
    assert _migrations.current_revision(empty_db_url) == SCHEMA_REVISION
    # The shipped head is the models' revision: at head, nothing is pending.
    assert _migrations.plan_upgrade(empty_db_url) == (SCHEMA_REVISION, [])
    assert schema_diff(empty_db_url) == []


def test_step_by_step_upgrade_and_downgrade(empty_db_url):
    """Every revision upgrades and downgrades on its own (a rollback stops anywhere)."""
    _migrations.upgrade(empty_db_url, "0001_initial")
    _migrations.upgrade(empty_db_url, "0002_connection_log_credential")
    _migrations.upgrade(empty_db_url, "0003_job_results")
    _migrations.upgrade(empty_db_url, "0004_config_original")
    _migrations.upgrade(empty_db_url, "0005_install_secrets")
    _migrations.upgrade(empty_db_url, "0006_reaching_devices")
    _migrations.upgrade(empty_db_url, "0007_compliance_results")
    assert _migrations.downgrade(empty_db_url, "0006_reaching_devices")[1] == "0006_reaching_devices"
    assert not {"compliance_results", "compliance_state"} & table_names(empty_db_url)
    assert _migrations.downgrade(empty_db_url, "0005_install_secrets")[1] == "0005_install_secrets"
    assert "jump_hosts" not in table_names(empty_db_url)
    assert _migrations.downgrade(empty_db_url, "0004_config_original")[1] == "0004_config_original"
    assert "install_secrets" not in table_names(empty_db_url)
    assert _migrations.downgrade(empty_db_url, "0003_job_results")[1] == "0003_job_results"
    assert _migrations.downgrade(empty_db_url, "0002_connection_log_credential")[1] == "0002_connection_log_credential"
    assert _migrations.downgrade(empty_db_url, "0001_initial")[1] == "0001_initial"
    assert "job_results" not in table_names(empty_db_url)
    assert _migrations.upgrade(empty_db_url)[1] == SCHEMA_REVISION
    assert schema_diff(empty_db_url) == []


def test_unmigrated_database_is_refused_in_one_line(empty_db_url):
    with pytest.raises(SchemaNotReadyError) as caught:
        create_db_engine(empty_db_url)
    message = str(caught.value)
    assert "\n" not in message
    assert "ansible-playbook netraven.netraven.migrate" in message


def test_outdated_schema_is_refused_naming_both_revisions(empty_db_url):
    _migrations.upgrade(empty_db_url, "0002_connection_log_credential")
    with pytest.raises(SchemaNotReadyError) as caught:
        create_db_engine(empty_db_url)
    message = str(caught.value)
    assert "\n" not in message
    assert "0002_connection_log_credential" in message and SCHEMA_REVISION in message
    assert "ansible-playbook netraven.netraven.migrate" in message


ROWS_AT_0001 = [
    "INSERT INTO tags (id, name) VALUES (1, 'core')",
    "INSERT INTO credentials (id, username, password, priority, success_rate) VALUES (7, 'admin', 'token-7', 10, 0.5)",
    "INSERT INTO credentials (id, username, password) VALUES (8, 'admin', 'token-8')",
    "INSERT INTO devices (id, hostname, ip_address, device_type) VALUES (3, 'r1', '192.0.2.1', 'cisco_ios')",
    "INSERT INTO device_tag_association (device_id, tag_id) VALUES (3, 1)",
    "INSERT INTO credential_tag_association (credential_id, tag_id) VALUES (7, 1)",
    "INSERT INTO jobs (id, name, status) VALUES (5, 'nightly', 'COMPLETED_SUCCESS')",
    "INSERT INTO job_tags (job_id, tag_id) VALUES (5, 1)",
    "INSERT INTO connection_logs (id, device_id, job_id, successful, duration_ms, error_message) "
    "VALUES (11, 3, 5, 0, 1500, 'Authentication failed')",
    "INSERT INTO job_logs (id, job_id, device_id, level, message) VALUES (21, 5, 3, 'INFO', 'backed up')",
    "INSERT INTO device_configurations (id, device_id, job_id, config_data, data_hash) "
    "VALUES (31, 3, 5, 'hostname r1', 'abc123')",
]


def test_data_survives_the_upgrade_on_sqlite(database_factories):
    url = database_factories["sqlite"].new_url(migrated=False)
    _migrations.upgrade(url, "0001_initial")
    engine = create_db_engine(url, check_schema=False)
    with engine.begin() as connection:
        for statement in ROWS_AT_0001:
            connection.exec_driver_sql(statement)
    engine.dispose()

    assert _migrations.upgrade(url) == ("0001_initial", SCHEMA_REVISION)

    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            def query(sql):
                return [tuple(row) for row in connection.exec_driver_sql(sql)]

            assert query("SELECT id, name, username, password, priority, success_rate, success_count, failure_count "
                         "FROM credentials ORDER BY id") == [
                (7, "admin-7", "admin", "token-7", 10, 0.5, 0, 0),
                (8, "admin-8", "admin", "token-8", 100, None, 0, 0)]
            assert query("SELECT id, hostname, last_credential_id, jump_host_id, transport, legacy_ssh FROM devices") == [
                (3, "r1", None, None, "ssh", 0)]
            assert query("SELECT enable_secret, private_key, private_key_passphrase FROM credentials") == [(None,) * 3] * 2
            assert query("SELECT device_id, tag_id FROM device_tag_association") == [(3, 1)]
            assert query("SELECT credential_id, tag_id FROM credential_tag_association") == [(7, 1)]
            assert query("SELECT job_id, tag_id FROM job_tags") == [(5, 1)]
            assert query("SELECT id, status, job_type FROM jobs") == [(5, "COMPLETED_SUCCESS", "backup")]
            assert query("SELECT id, device_id, job_id, successful, duration_ms, error_message, credential_id, "
                         "credential_username, retry_count, error_type FROM connection_logs") == [
                (11, 3, 5, 0, 1500, "Authentication failed", None, None, 0, None)]
            assert query("SELECT id, job_id, device_id, message FROM job_logs") == [(21, 5, 3, "backed up")]
            assert query("SELECT id, device_id, config_data FROM device_configurations") == [(31, 3, "hostname r1")]
            assert query("PRAGMA foreign_key_check") == []
    finally:
        engine.dispose()
    assert schema_diff(url) == []


def test_downgrade_refuses_while_key_only_credentials_exist(empty_db_url):
    """Below 0006 a credential needs a password: the downgrade names the key-only ones and changes nothing.

    From 0006 itself: SQLite runs each revision in a transaction of its own (no transactional
    DDL in Alembic's SQLite support), so revisions above 0006 would be downgraded first.
    """
    _migrations.upgrade(empty_db_url, "0006_reaching_devices")
    engine = create_db_engine(empty_db_url, check_schema=False)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO credentials (id, name, username, private_key) VALUES (4, 'keyonly', 'ops', 'v2:x')")
    engine.dispose()
    with pytest.raises(Exception) as caught:
        _migrations.downgrade(empty_db_url, "0005_install_secrets")
    assert "keyonly" in str(caught.value) and "key-only" in str(caught.value)
    assert _migrations.current_revision(empty_db_url) == "0006_reaching_devices"
    assert "jump_hosts" in table_names(empty_db_url)


def test_alembic_command_line_from_the_checkout(tmp_path):
    url = "sqlite:///%s" % (tmp_path / "cli.db")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["NETRAVEN_DB_URL"] = url
    completed = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "migrations/alembic.ini", "upgrade", "head"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    assert _migrations.current_revision(url) == SCHEMA_REVISION
    assert schema_diff(url) == []
