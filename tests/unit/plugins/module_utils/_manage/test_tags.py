# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tag module's core on a real SQLite database: create, update, idempotence, check mode, delete."""

from __future__ import annotations

import pytest

sa = pytest.importorskip("sqlalchemy")

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._tags import ensure_tag  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Device, Tag, device_tag_association  # noqa: E402


def _tags(engine):
    with session_scope(engine) as session:
        return {t.name: (t.type, t.description) for t in session.scalars(sa.select(Tag))}


def test_create_then_idempotent(sqlite_engine):
    first = ensure_tag(sqlite_engine, "site-paris", type="site", description="Paris")
    assert first["changed"] is True
    assert first["tag"]["id"] is not None
    assert first["diff"] == {"before": {}, "after": {"name": "site-paris", "type": "site", "description": "Paris"}}
    second = ensure_tag(sqlite_engine, "site-paris", type="site", description="Paris")
    assert second["changed"] is False
    assert second["tag"] == first["tag"]
    assert _tags(sqlite_engine) == {"site-paris": ("site", "Paris")}


def test_omitted_fields_are_left_alone_and_given_ones_updated(sqlite_engine):
    ensure_tag(sqlite_engine, "core", type="role", description="Core switches")
    assert ensure_tag(sqlite_engine, "core")["changed"] is False
    result = ensure_tag(sqlite_engine, "core", description="Core layer")
    assert result["changed"] is True
    assert result["diff"]["before"]["description"] == "Core switches"
    assert result["diff"]["after"] == {"name": "core", "type": "role", "description": "Core layer"}
    assert _tags(sqlite_engine) == {"core": ("role", "Core layer")}


def test_check_mode_writes_nothing(sqlite_engine, db_snapshot):
    ensure_tag(sqlite_engine, "core", type="role")
    before = db_snapshot(sqlite_engine)
    created = ensure_tag(sqlite_engine, "edge", type="role", check_mode=True)
    updated = ensure_tag(sqlite_engine, "core", type="layer", check_mode=True)
    deleted = ensure_tag(sqlite_engine, "core", state="absent", check_mode=True)
    assert (created["changed"], updated["changed"], deleted["changed"]) == (True, True, True)
    assert created["tag"]["id"] is None
    assert updated["tag"]["type"] == "layer"
    assert db_snapshot(sqlite_engine) == before


def test_absent_detaches_and_is_idempotent(sqlite_engine):
    ensure_tag(sqlite_engine, "core")
    with session_scope(sqlite_engine) as session:
        tag = session.scalars(sa.select(Tag)).one()
        device = Device(hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios")
        device.tags = [tag]
        credential = Credential(name="admin", username="admin", password="x")
        credential.tags = [tag]
        session.add_all([device, credential])
    result = ensure_tag(sqlite_engine, "core", state="absent")
    assert result["changed"] is True
    assert result["detached"] == {"devices": 1, "credentials": 1, "jobs": 0}
    assert result["diff"]["after"] == {}
    assert _tags(sqlite_engine) == {}
    with sqlite_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(device_tag_association)).scalar_one() == 0
    assert ensure_tag(sqlite_engine, "core", state="absent")["changed"] is False


@pytest.mark.parametrize("name, kwargs, message", [
    ("  ", {}, "name must not be empty"),
    ("x" * 256, {}, "name is 256 characters long, the limit is 255"),
    ("t", {"type": "y" * 51}, "type is 51 characters long, the limit is 50"),
])
def test_bad_input_is_one_line_and_writes_nothing(sqlite_engine, db_snapshot, name, kwargs, message):
    before = db_snapshot(sqlite_engine)
    with pytest.raises(ValidationError, match=message) as error:
        ensure_tag(sqlite_engine, name, **kwargs)
    assert "\n" not in str(error.value)
    assert db_snapshot(sqlite_engine) == before


def test_name_is_stripped(sqlite_engine):
    ensure_tag(sqlite_engine, " core ")
    assert ensure_tag(sqlite_engine, "core")["changed"] is False


@pytest.mark.parametrize("name", ["../../tag-escape", "/etc", "a\\b", "a..b", ".git", "-x", "par\x1b"])
def test_tag_names_that_would_become_unsafe_folders_are_refused(sqlite_engine, db_snapshot, name):
    before = db_snapshot(sqlite_engine)
    with pytest.raises(ValidationError, match="tag name .* is not allowed") as raised:
        ensure_tag(sqlite_engine, name, type="site")
    assert "\n" not in str(raised.value)
    # Created on the fly by another module (create_tags): refused the same way.
    from ansible_collections.netraven.netraven.plugins.module_utils._manage._devices import ensure_device
    with pytest.raises(ValidationError, match="tags: tag name .* is not allowed"):
        ensure_device(sqlite_engine, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=[name], create_tags=True)
    assert db_snapshot(sqlite_engine) == before


def test_a_tag_with_an_unsafe_name_written_by_other_tools_can_still_be_removed(sqlite_engine):
    with session_scope(sqlite_engine) as session:
        session.add(Tag(name="../x", type="site"))
    assert ensure_tag(sqlite_engine, "../x", state="absent")["changed"] is True
