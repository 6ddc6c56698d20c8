# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for unit tests: module arguments, module runs, a real SQLite database.

Unit tests run under plain pytest from a checkout and under ``ansible-test units`` in
a real ansible_collections tree, so nothing here relies on the repo-root conftest.
The database is a real SQLite file whose schema comes from the models
(``create_all``) stamped with the revision the core expects, with the random
key-derivation salt that migration 0005 writes: as real as the migrated one (a separate
test proves models and migrations agree) and much faster.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

try:  # ansible-core 2.19+: the supported way to hand arguments to a module under test.
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # pragma: no cover - older ansible-core
    patch_module_args = None

UNIT_TEST_KEY = "unit-test-passphrase"
# Every unit database gets the same random key-derivation salt, as copies of one install
# would: deriving a key costs 600,000 PBKDF2 rounds, and the process cache then derives it
# once per session instead of once per test (tests of the salt itself make their own).
UNIT_INSTALL_SALT = os.urandom(16).hex()


@contextlib.contextmanager
def _patched_args(args):
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    serialized = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))  # pragma: no cover
    with mock.patch.object(basic, "_ANSIBLE_ARGS", serialized):  # pragma: no cover
        yield


@pytest.fixture
def module_args():
    """The arguments patch_ansible_module passes; override it or parametrize it indirectly."""
    return {}


@pytest.fixture
def patch_ansible_module(request, module_args):
    """Expose module arguments to AnsibleModule (community.hashi_vault style).

    Arguments come from an indirect parametrization of this fixture, else from the
    module_args fixture.
    """
    args = getattr(request, "param", None)
    if args is None:
        args = module_args
    with _patched_args(args):
        yield args


@pytest.fixture
def run_module(capsys):
    """Run a module's main() with the given arguments; returns (exit code, result dict)."""

    def _run(module, args):
        with _patched_args(args):
            with pytest.raises(SystemExit) as exit_info:
                module.main()
        out = capsys.readouterr().out
        return exit_info.value.code or 0, json.loads(out)

    return _run


@pytest.fixture
def unit_key(monkeypatch):
    """Set NETRAVEN_ENCRYPTION_KEY (and the default salt) for the test; returns the passphrase."""
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_KEY", UNIT_TEST_KEY)
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_SALT", raising=False)
    return UNIT_TEST_KEY


def _v1_token(passphrase, plaintext, salt="netraven_salt"):
    """A value as release 0.1 sealed it (format version 1), computed without the collection's code.

    PBKDF2-SHA256, 100,000 rounds, the static salt, a bare Fernet token: the documented
    derivation, so a change in the collection cannot make these tests agree with it.
    """
    import base64
    import hashlib

    from cryptography.fernet import Fernet

    key = base64.urlsafe_b64encode(hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt.encode("utf-8"), 100000, 32))
    return Fernet(key).encrypt(plaintext.encode("utf-8")).decode("ascii")


@pytest.fixture
def v1_seal():
    """seal(passphrase, plaintext, salt='netraven_salt') -> a version-1 token (as 0.1 wrote it)."""
    pytest.importorskip("cryptography")
    return _v1_token


@pytest.fixture
def sqlite_db_url(tmp_path, monkeypatch):
    """URL of a fresh SQLite database with the current schema; NETRAVEN_DB_URL is cleared."""
    sa = pytest.importorskip("sqlalchemy")
    from ansible_collections.netraven.netraven.plugins.module_utils._db._models import SCHEMA_REVISION, Base

    monkeypatch.delenv("NETRAVEN_DB_URL", raising=False)
    url = "sqlite:///%s" % (tmp_path / "netraven.db")
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('%s')" % SCHEMA_REVISION)
        # What migration 0005_install_secrets writes: create_all makes the table, not its row.
        connection.exec_driver_sql("INSERT INTO install_secrets (name, value) VALUES ('kdf_salt', '%s')" % UNIT_INSTALL_SALT)
    engine.dispose()
    return url


@pytest.fixture
def one_backup_db_url(sqlite_db_url):
    """sqlite_db_url with device r1, job 1 (COMPLETED_SUCCESS, 2026-12-01 02:00) and r1's one stored configuration."""
    sa = pytest.importorskip("sqlalchemy")
    from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, DeviceConfiguration, Job, JobResult

    when = datetime.datetime(2026, 12, 1, 2, 0, 0)
    engine = sa.create_engine(sqlite_db_url)
    with engine.begin() as conn:
        conn.execute(sa.insert(Device).values(id=1, hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios"))
        conn.execute(sa.insert(Job).values(id=1, name="nightly", status="COMPLETED_SUCCESS", completed_at=when))
        conn.execute(sa.insert(JobResult).values(job_id=1, device_id=1, status="SUCCESS", result_time=when))
        conn.execute(sa.insert(DeviceConfiguration).values(device_id=1, job_id=1, config_data="hostname r1\n",
                                                           data_hash="h", retrieved_at=when))
    engine.dispose()
    return sqlite_db_url


@pytest.fixture
def db_url(sqlite_db_url):
    """This tree's fresh database for the shared fixtures (tests/conftest.py's engine): SQLite, as every unit database."""
    return sqlite_db_url


@pytest.fixture
def sqlite_engine(engine):
    """The unit tests' name for the shared engine fixture (tests/conftest.py) on sqlite_db_url."""
    return engine


@pytest.fixture
def db_snapshot():
    """A function returning every row of every table, to prove that something wrote nothing."""

    def _snapshot(engine):
        sa = pytest.importorskip("sqlalchemy")
        from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Base

        with engine.connect() as connection:
            return {
                table.name: sorted(tuple(str(value) for value in row) for row in connection.execute(sa.select(table)))
                for table in Base.metadata.sorted_tables
            }

    return _snapshot
