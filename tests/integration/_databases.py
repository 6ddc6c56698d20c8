"""Throwaway NetRaven databases for integration tests, on SQLite and PostgreSQL.

Migrating takes a while, so each backend is migrated once per test session into a
template (a PostgreSQL template database, an SQLite file) and every test gets a
fresh copy of it: CREATE DATABASE ... TEMPLATE, or a file copy.
"""

import os
import shutil
import uuid

import pytest
import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._db import _migrations

PG_ENV = "NETRAVEN_TEST_PG_URL"
TEST_KEY = "integration-test-passphrase"


def require_pg():
    """Skip without the throwaway PostgreSQL server; under CI its absence is an error, not a skip."""
    if pg_admin_url():
        return
    if os.environ.get("CI"):
        pytest.fail("NETRAVEN_TEST_PG_URL is not set: run the tests through 'make test'")
    pytest.skip("PostgreSQL tests need NETRAVEN_TEST_PG_URL (make test starts a throwaway server)")


def pg_admin_url():
    """The throwaway server's admin URL (make test starts it), or None outside make test."""
    return os.environ.get(PG_ENV)


def _admin_engine():
    return sa.create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


def pg_url_for(database):
    """The server's URL with another database name."""
    return sa.engine.make_url(pg_admin_url()).set(database=database).render_as_string(hide_password=False)


def create_pg_database(template=None):
    """A new empty (or template-copied) PostgreSQL database; returns its name."""
    name = "nr_%s" % uuid.uuid4().hex[:12]
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.exec_driver_sql('CREATE DATABASE "%s"%s' % (name, ' TEMPLATE "%s"' % template if template else ""))
    engine.dispose()
    return name


def drop_pg_database(name):
    """Drop a test database, disconnecting whoever still holds it."""
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.exec_driver_sql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    engine.dispose()


class DatabaseFactory:
    """Hands out migrated databases of one backend, copied from a once-migrated template."""

    def __init__(self, backend, workdir):
        self.backend = backend
        self.workdir = workdir
        self._template = None
        self._created = []

    def _make_template(self):
        if self.backend == "sqlite":
            path = os.path.join(self.workdir, "template.db")
            _migrations.upgrade("sqlite:///" + path)
            return path
        name = create_pg_database()
        _migrations.upgrade(pg_url_for(name))
        return name

    def new_url(self, migrated=True):
        """URL of a fresh database: migrated to head (from the template) or empty."""
        if migrated and self._template is None:
            self._template = self._make_template()
        if self.backend == "sqlite":
            path = os.path.join(self.workdir, "db-%s.db" % uuid.uuid4().hex[:12])
            if migrated:
                shutil.copyfile(self._template, path)
            return "sqlite:///" + path
        name = create_pg_database(self._template if migrated else None)
        self._created.append(name)
        return pg_url_for(name)

    def cleanup(self):
        """Drop every PostgreSQL database this factory made (SQLite files go with tmp dirs)."""
        if self.backend == "postgresql":
            for name in self._created + ([self._template] if self._template else []):
                drop_pg_database(name)
