"""A device type without a platform profile fails in one line and is never logged in to (docs/platforms.md)."""

from __future__ import annotations

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("netmiko")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._backup import _device_backup  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Device  # noqa: E402


def test_device_type_without_profile_fails_without_login(sqlite_engine, unit_key, monkeypatch):
    with session_scope(sqlite_engine) as session:
        credential = Credential(name="ops", username="ops", password=secret_box_for(sqlite_engine, unit_key).encrypt("pw-no-profile"))
        router = Device(hostname="sr1", ip_address="192.0.2.1", device_type="nokia_sros")
        router.credentials = [credential] if hasattr(router, "credentials") else []
        session.add_all([credential, router])
        session.flush()
        device_id, credential_id = router.id, credential.id
    logins = []
    monkeypatch.setattr(_device_backup.DeviceSession, "fetch_all", lambda *a, **k: logins.append(a) or ([], 0))

    outcome = _device_backup.DeviceBackup(sqlite_engine, secret_box_for(sqlite_engine, unit_key), _device_backup.BackupOptions()).run(
        device_id, [credential_id])

    result = outcome.result()
    assert logins == [] and result["attempts"] == []
    assert result["status"] == "FAILED_UNEXPECTED" and outcome.error_type == "NO_PROFILE"
    assert "\n" not in result["msg"]
    assert "'nokia_sros'" in result["msg"] and "docs/platforms.md" in result["msg"]
