"""Chains resolve in a constant number of SQL statements, whatever the device count (docs/architecture.md: "Where each rule lives").

Statements are counted with SQLAlchemy's before_cursor_execute event on every engine, so the
count covers everything the inventory does: opening the engine, checking the schema,
selecting devices and resolving chains.
"""

import contextlib
import random

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from _seed import seed  # pylint: disable=import-error
from ansible_collections.netraven.netraven.plugins.module_utils._inventory._chains import resolve_targets
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._inventory._hosts import load_snapshot

TAGS = ["t%02d" % i for i in range(50)]


@contextlib.contextmanager
def count_statements():
    """Count SQL statements sent by any engine inside the block; yields a list whose length is the count."""
    statements = []

    def _count(conn, cursor, statement, parameters, context, executemany):  # pylint: disable=unused-argument,too-many-arguments
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", _count)


def add_devices(db_url, start, count, rng):
    """Devices with 3 tags each; every device carries t01 or t03, so each filter matches some of the first 10."""
    others = [tag for tag in TAGS if tag not in ("t01", "t03")]
    seed(db_url, devices=[{"hostname": "dev%05d" % i, "ip_address": "10.0.%d.%d" % (i // 250, i % 250),
                           "tags": [("t01", "t03")[i % 2]] + rng.sample(others, 2)} for i in range(start, start + count)])


def measure(db_url, **filters):
    """Statements for (the plugin's whole database path, resolve_targets alone), and the device count."""
    with count_statements() as plugin_statements:
        snapshot = load_snapshot(db_url, **filters)
    engine = create_db_engine(db_url)
    try:
        with count_statements() as resolve_statements:
            with session_scope(engine) as session:
                resolve_targets(session, **filters)
    finally:
        engine.dispose()
    return len(plugin_statements), len(resolve_statements), len(snapshot["devices"])


@pytest.mark.parametrize("filters", [{}, {"tags": ["t01", "t02"]}, {"job": True}], ids=["all", "tags", "job"])
def test_same_statement_count_for_10_and_2000_devices(db_url, encryption_key, filters):  # pylint: disable=unused-argument
    rng = random.Random(7)
    credentials = [{"name": "c%03d" % i, "username": "u%03d" % i, "password": "pw%03d" % i, "priority": rng.randint(1, 50),
                    "tags": rng.sample(TAGS, 2)} for i in range(100)]
    seeded = seed(db_url, tags=TAGS, credentials=credentials, jobs=[{"name": "job", "tags": ["t03", "t04", "t05"]}])
    if filters.get("job"):
        filters = {"job_id": seeded.jobs["job"]}
    add_devices(db_url, 0, 10, rng)
    small = measure(db_url, **filters)
    add_devices(db_url, 10, 1990, rng)
    large = measure(db_url, **filters)

    assert large[2] > 10 * max(small[2], 1)  # far more devices were resolved the second time...
    assert large[:2] == small[:2]  # ...with exactly the same statements
    assert small[1] <= 6
