"""Smoke test: a migrated database accepts the core's writes (both backends)."""

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential


def test_migrated_database_accepts_a_credential(engine):
    with session_scope(engine) as session:
        session.add(Credential(name="c1", username="admin", password="x", priority=10))
    with session_scope(engine) as session:
        assert session.query(Credential).one().priority == 10
