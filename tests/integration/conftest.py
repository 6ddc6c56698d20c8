"""Fixtures for integration tests: real databases (SQLite and PostgreSQL), keys, Ansible env.

Tests that take ``db_url`` run once per backend. PostgreSQL comes from the throwaway
server that ``make test`` starts (NETRAVEN_TEST_PG_URL); outside make test those
cases skip, but under CI a missing server is an error rather than a silent skip.
"""

import pytest

from _ansible import ansible_env as make_ansible_env  # pylint: disable=import-error
from _databases import TEST_KEY, DatabaseFactory, require_pg  # pylint: disable=import-error

try:  # The device lab's fixtures (device_lab, ...), when its dependencies are installed.
    from devicelab.pytest_plugin import *  # noqa: F401,F403 pylint: disable=wildcard-import,unused-wildcard-import
except ImportError:  # pragma: no cover - the lab is optional for database-only runs
    pass

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def database_factories(tmp_path_factory):
    """One DatabaseFactory per backend for the whole session."""
    factories = {backend: DatabaseFactory(backend, str(tmp_path_factory.mktemp(backend))) for backend in BACKENDS}
    yield factories
    for factory in factories.values():
        factory.cleanup()


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Each test that uses a database runs on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        require_pg()
    return request.param


@pytest.fixture
def db_url(backend, database_factories):
    """URL of a fresh database migrated to head, on the current backend."""
    return database_factories[backend].new_url()


@pytest.fixture
def empty_db_url(backend, database_factories):
    """URL of a fresh database with no schema at all, on the current backend."""
    return database_factories[backend].new_url(migrated=False)


@pytest.fixture
def pg_db_url(database_factories):
    """URL of a fresh migrated PostgreSQL database (for PostgreSQL-only tests)."""
    require_pg()
    return database_factories["postgresql"].new_url()


@pytest.fixture
def encryption_key(monkeypatch):
    """Set NETRAVEN_ENCRYPTION_KEY for the test; returns the passphrase."""
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_KEY", TEST_KEY)
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_SALT", raising=False)
    return TEST_KEY


@pytest.fixture
def ansible_env(tmp_path, db_url, encryption_key):
    """Environment for ansible-playbook / ansible-inventory subprocesses on the test database.

    Its own HOME and local temp keep runs apart; the collection resolves from the checkout.
    """
    return make_ansible_env(tmp_path, db_url, encryption_key)
