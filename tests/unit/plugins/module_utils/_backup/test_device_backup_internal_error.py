# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bug met during one device's backup still ends in that device's records, without its secrets.

Every device of a job must end with one job result and one connection log, whatever
happened. A bug in the collection (an exception nobody classified) must not leave the
device PENDING with nothing written: it becomes FAILED_UNEXPECTED, named by exception
type and place, never by the exception's text, which could hold a password.
"""

from __future__ import annotations

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("netmiko")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._backup import _device_backup  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (  # noqa: E402
    ConnectionLog,
    Credential,
    Device,
    DeviceConfiguration,
)

PASSWORD = "S3cret-Internal-Err"
CONFIG = "hostname r1\n" + "".join("interface Gi0/%d\n no shutdown\n!\n" % n for n in range(8)) + "end\n"


@pytest.fixture
def device(sqlite_engine, unit_key):
    """A device r1 and its one credential ops; returns (engine, device id, credential id)."""
    with session_scope(sqlite_engine) as session:
        credential = Credential(name="ops", username="ops", password=secret_box_for(sqlite_engine, unit_key).encrypt(PASSWORD))
        router = Device(hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios")
        session.add_all([credential, router])
        session.flush()
        return sqlite_engine, router.id, credential.id


def bug(*_args, **_kwargs):
    raise KeyError("a value the failing code held: %s" % PASSWORD)


def rows(engine, model):
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(sa.select(model.__table__))]


@pytest.mark.parametrize("where", ["fetch", "config_hash"])
def test_a_bug_becomes_the_devices_failed_unexpected_record(device, unit_key, monkeypatch, where):
    engine, device_id, credential_id = device
    if where == "fetch":  # before the login's outcome is known
        monkeypatch.setattr(_device_backup.DeviceSession, "fetch_all", bug)
    else:  # after a successful login, while handling the configuration
        monkeypatch.setattr(_device_backup.DeviceSession, "fetch_all", lambda *_a, **_k: (["", CONFIG], 0.1))
        monkeypatch.setattr(_device_backup, "config_hash", bug)

    outcome = _device_backup.DeviceBackup(engine, secret_box_for(engine, unit_key), _device_backup.BackupOptions()).run(device_id, [credential_id])

    result = outcome.result()
    assert result["status"] == "FAILED_UNEXPECTED" and result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("FAILED_UNEXPECTED: Internal error in the backup (KeyError at ")
    assert result["attempts"][-1]["outcome"] == ("failed" if where == "fetch" else "accepted")
    [log] = rows(engine, ConnectionLog)
    assert log["device_id"] == device_id and log["successful"] is False and log["credential_id"] == credential_id
    assert log["error_message"] == outcome.error_message
    assert rows(engine, DeviceConfiguration) == []
    [credential] = rows(engine, Credential)
    # Only a login's real outcome counts in the metrics: none for the bug before it.
    assert (credential["success_count"], credential["failure_count"]) == ((0, 0) if where == "fetch" else (1, 0))
    assert PASSWORD not in repr(result) and PASSWORD not in repr(log)
