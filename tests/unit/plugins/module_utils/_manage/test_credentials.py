# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credential module's core on a real SQLite database with real encryption."""

from __future__ import annotations

import json

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import (  # noqa: E402
    EncryptionKeyError,
    ValidationError,
)
from ansible_collections.netraven.netraven.plugins.module_utils._manage._credentials import ensure_credential  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._devices import ensure_device  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._tags import ensure_tag  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Device  # noqa: E402

PASSWORD = "S3cr3t-Pa55-unit"
OTHER_PASSWORD = "An0ther-Pa55-unit"


class BoxSpy:
    """The SecretBox factory the module passes, counting how often the core asks for it."""

    def __init__(self, engine, key):
        self.engine = engine
        self.key = key
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return secret_box_for(self.engine, self.key)


@pytest.fixture
def box(sqlite_engine, unit_key):
    return BoxSpy(sqlite_engine, unit_key)


@pytest.fixture
def engine(engine):
    """The shared engine with the tags core and edge."""
    for name in ("core", "edge"):
        ensure_tag(engine, name)
    return engine


def _stored(engine, name):
    with session_scope(engine) as session:
        credential = session.scalars(sa.select(Credential).where(Credential.name == name)).one()
        return credential.password, credential.username, credential.priority, [t.name for t in credential.tags]


def _ensure(engine, box, **kwargs):
    return ensure_credential(engine, box, **kwargs)


def test_create_encrypts_defaults_and_is_idempotent(engine, box, unit_key):
    result = _ensure(engine, box, username="admin", password=PASSWORD, tags=["core"])
    assert result["changed"] is True and result["password_changed"] is True
    credential = result["credential"]
    assert (credential["name"], credential["priority"], credential["is_system"]) == ("admin", 100, False)
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["password"] == "<changed>"
    ciphertext, username, priority, tags = _stored(engine, "admin")
    assert ciphertext != PASSWORD and secret_box_for(engine, unit_key).decrypt(ciphertext) == PASSWORD
    assert (username, priority, tags) == ("admin", 100, ["core"])
    for update_password in ("on_create", "always"):
        again = _ensure(engine, box, username="admin", password=PASSWORD, tags=["core"], update_password=update_password)
        assert (again["changed"], again["password_changed"]) == (False, False)
        assert "password" not in again["diff"]["after"]
    assert _stored(engine, "admin")[0] == ciphertext


def test_on_create_never_rewrites_the_password(engine, box):
    _ensure(engine, box, username="admin", password=PASSWORD)
    box.calls = 0
    result = _ensure(engine, box, username="admin", password=OTHER_PASSWORD)
    assert (result["changed"], result["password_changed"]) == (False, False)
    assert box.calls == 0, "a task that leaves the password alone needs no key"


def test_always_compares_by_decrypting_and_rewrites_only_a_different_password(engine, box, unit_key):
    _ensure(engine, box, username="admin", password=PASSWORD)
    old_ciphertext = _stored(engine, "admin")[0]
    result = _ensure(engine, box, username="admin", password=OTHER_PASSWORD, update_password="always")
    assert (result["changed"], result["password_changed"]) == (True, True)
    assert result["diff"]["before"]["password"] == "<hidden>"
    assert result["diff"]["after"]["password"] == "<changed>"
    new_ciphertext = _stored(engine, "admin")[0]
    assert new_ciphertext != old_ciphertext
    assert secret_box_for(engine, unit_key).decrypt(new_ciphertext) == OTHER_PASSWORD
    assert _ensure(engine, box, username="admin", password=OTHER_PASSWORD, update_password="always")["changed"] is False
    assert _stored(engine, "admin")[0] == new_ciphertext


def test_always_with_a_key_that_cannot_decrypt_fails_cleanly(engine, box, db_snapshot):
    _ensure(engine, box, username="admin", password=PASSWORD)
    before = db_snapshot(engine)
    # The first write recorded the install's key: another key is refused before anything opens (_key_check).
    with pytest.raises(EncryptionKeyError, match="NETRAVEN_ENCRYPTION_KEY does not match the key this install records"):
        _ensure(engine, BoxSpy(engine, "another-passphrase"), username="admin", password=PASSWORD, update_password="always")
    assert db_snapshot(engine) == before


def test_missing_key_is_a_clear_error(engine, db_snapshot, monkeypatch):
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_KEY", raising=False)
    before = db_snapshot(engine)
    with pytest.raises(EncryptionKeyError, match="NETRAVEN_ENCRYPTION_KEY is not set"):
        _ensure(engine, BoxSpy(engine, ""), username="admin", password=PASSWORD)
    assert db_snapshot(engine) == before


@pytest.mark.parametrize("kwargs, message", [
    ({"username": "admin", "password": ""}, "Credential 'admin': the password must not be empty"),
    ({"username": "admin"}, "Credential 'admin' does not exist: password is required to create it"),
    ({"name": "lab", "password": PASSWORD}, "Credential 'lab' does not exist: username is required to create it"),
    ({"username": "  "}, "name (or username) must not be empty"),
    ({"name": "lab", "username": "", "password": PASSWORD}, "username must not be empty"),
    ({"username": "admin", "password": PASSWORD, "tags": ["core", "nope"]}, "Unknown tag in tags: nope (create it with"),
    ({"username": "admin", "password": PASSWORD, "update_password": "sometimes"}, "update_password must be one of always, on_create"),
])
def test_bad_input_is_refused_and_writes_nothing(engine, box, db_snapshot, kwargs, message):
    before = db_snapshot(engine)
    with pytest.raises(ValidationError) as error:
        _ensure(engine, box, **kwargs)
    assert str(error.value).startswith(message)
    assert PASSWORD not in str(error.value)
    assert db_snapshot(engine) == before


def test_empty_password_refused_when_it_would_be_written(engine, box, db_snapshot):
    _ensure(engine, box, username="admin", password=PASSWORD)
    before = db_snapshot(engine)
    with pytest.raises(ValidationError, match="must not be empty"):
        _ensure(engine, box, username="admin", password="", update_password="always")
    assert db_snapshot(engine) == before
    # With on_create the password of an existing credential is not written, so it is not judged.
    assert _ensure(engine, box, username="admin", password="")["changed"] is False


def test_name_defaults_to_username_and_named_credentials_share_a_username(engine, box):
    _ensure(engine, box, username="admin", password=PASSWORD, priority=10)
    _ensure(engine, box, name="admin-old", username="admin", password=OTHER_PASSWORD, priority=20)
    with session_scope(engine) as session:
        rows = session.execute(sa.select(Credential.name, Credential.username, Credential.priority).order_by(Credential.id)).all()
    assert [tuple(row) for row in rows] == [("admin", "admin", 10), ("admin-old", "admin", 20)]
    # The name is the key: a new username renames the login of the existing credential.
    result = _ensure(engine, box, name="admin-old", username="root")
    assert result["changed"] is True
    assert result["diff"]["before"]["username"] == "admin" and result["diff"]["after"]["username"] == "root"


def test_fields_and_tags(engine, box):
    _ensure(engine, box, username="admin", password=PASSWORD, tags=["core"], description="lab")
    result = _ensure(engine, box, username="admin", priority=5, tags=["edge"], purge_tags=False)
    assert result["changed"] is True
    assert result["credential"]["tags"] == ["core", "edge"]
    assert result["diff"]["after"] == {"name": "admin", "username": "admin", "priority": 5, "description": "lab",
                                       "is_system": False, "tags": ["core", "edge"]}
    assert _ensure(engine, box, username="admin", is_system=True, tags=["edge"])["credential"]["tags"] == ["edge"]
    assert _stored(engine, "admin")[2:] == (5, ["edge"])
    created = _ensure(engine, box, username="admin", tags=["new-site"], purge_tags=False, create_tags=True)
    assert created["created_tags"] == ["new-site"]
    assert _stored(engine, "admin")[3] == ["edge", "new-site"]


def test_check_mode_writes_nothing(engine, box, db_snapshot):
    _ensure(engine, box, username="admin", password=PASSWORD, tags=["core"])
    before = db_snapshot(engine)
    created = _ensure(engine, box, username="ops", password=PASSWORD, priority=1, check_mode=True)
    assert (created["changed"], created["password_changed"], created["credential"]["id"]) == (True, True, None)
    assert created["credential"]["priority"] == 1
    changed = _ensure(engine, box, username="admin", password=OTHER_PASSWORD, update_password="always",
                      tags=["edge", "brand-new"], create_tags=True, check_mode=True)
    assert (changed["changed"], changed["password_changed"], changed["created_tags"]) == (True, True, ["brand-new"])
    same = _ensure(engine, box, username="admin", password=PASSWORD, update_password="always", check_mode=True)
    assert same["changed"] is False
    assert _ensure(engine, box, username="admin", state="absent", check_mode=True)["changed"] is True
    assert db_snapshot(engine) == before


def test_results_and_diffs_never_carry_the_password_or_ciphertext(engine, box):
    results = [
        _ensure(engine, box, username="admin", password=PASSWORD, tags=["core"]),
        _ensure(engine, box, username="admin", password=OTHER_PASSWORD, update_password="always"),
        _ensure(engine, box, username="admin", password=OTHER_PASSWORD, update_password="always"),
        _ensure(engine, box, username="admin", state="absent"),
    ]
    text = json.dumps(results)
    assert PASSWORD not in text and OTHER_PASSWORD not in text
    assert "gAAAA" not in text  # Fernet tokens start with the version byte, gAAAAA in base64


def test_absent_keeps_device_history(engine, box):
    _ensure(engine, box, username="admin", password=PASSWORD, tags=["core"])
    ensure_device(engine, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core"])
    with session_scope(engine) as session:
        device = session.scalars(sa.select(Device)).one()
        device.last_credential_id = session.scalars(sa.select(Credential.id)).one()
    result = _ensure(engine, box, name="admin", state="absent")
    assert result["changed"] is True
    assert result["diff"]["before"]["name"] == "admin" and result["diff"]["after"] == {}
    with session_scope(engine) as session:
        assert session.scalars(sa.select(Credential)).all() == []
        assert session.scalars(sa.select(Device.last_credential_id)).one() is None
    assert _ensure(engine, box, name="admin", state="absent")["changed"] is False


ENABLE = "En4ble-Differs-unit"
KEY_PASSPHRASE = "K3y-Passphrase-unit"


def _key(passphrase=KEY_PASSPHRASE):
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    from cryptography.hazmat.primitives.asymmetric import ed25519

    encryption = serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption).decode()


def _secrets(engine, box, name):
    """The credential's secret columns, opened (None where unset)."""
    with session_scope(engine) as session:
        credential = session.scalars(sa.select(Credential).where(Credential.name == name)).one()
        return {column: box().decrypt(getattr(credential, column)) if getattr(credential, column) else None
                for column in ("password", "enable_secret", "private_key", "private_key_passphrase")}


def test_key_only_credential_with_enable_secret_is_sealed_and_idempotent(engine, box, db_snapshot):
    key = _key()
    args = {"name": "netops-key", "username": "netops", "private_key": key, "private_key_passphrase": KEY_PASSPHRASE,
            "enable_secret": ENABLE}
    checked = _ensure(engine, box, check_mode=True, **args)
    assert checked["changed"] is True and checked["secrets_changed"] == ["enable_secret", "private_key", "private_key_passphrase"]
    assert checked["password_changed"] is False
    created = _ensure(engine, box, **args)
    assert created["diff"]["after"]["private_key"] == "<changed>" and created["diff"]["after"]["enable_secret"] == "<changed>"
    assert "password" not in created["diff"]["after"]
    assert _secrets(engine, box, "netops-key") == {"password": None, "enable_secret": ENABLE, "private_key": key,
                                                   "private_key_passphrase": KEY_PASSPHRASE}
    with engine.connect() as connection:
        stored = json.dumps([list(map(str, row)) for row in connection.execute(sa.select(Credential))])
    for secret in (ENABLE, KEY_PASSPHRASE) + tuple(line for line in key.splitlines() if len(line) > 20):
        assert secret not in stored and secret not in json.dumps(created)
    before = db_snapshot(engine)
    for update_password in ("on_create", "always"):
        again = _ensure(engine, box, update_password=update_password, **args)
        assert (again["changed"], again["secrets_changed"]) == (False, []), update_password
    assert db_snapshot(engine) == before


def test_always_rewrites_only_the_secret_that_differs_and_empty_clears_it(engine, box):
    _ensure(engine, box, username="admin", password=PASSWORD, enable_secret=ENABLE)
    assert _ensure(engine, box, username="admin", password=PASSWORD, enable_secret="other")["changed"] is False
    changed = _ensure(engine, box, username="admin", password=PASSWORD, enable_secret="other", update_password="always")
    assert (changed["changed"], changed["secrets_changed"], changed["password_changed"]) == (True, ["enable_secret"], False)
    assert changed["diff"]["before"]["enable_secret"] == "<hidden>" and changed["diff"]["after"]["enable_secret"] == "<changed>"
    cleared = _ensure(engine, box, username="admin", enable_secret="", update_password="always")
    assert cleared["secrets_changed"] == ["enable_secret"]
    assert _secrets(engine, box, "admin")["enable_secret"] is None
    assert _ensure(engine, box, username="admin", enable_secret="", update_password="always")["changed"] is False


@pytest.mark.parametrize("kwargs, message", [
    ({"username": "ops", "private_key": "not a key"}, "Credential 'ops': private_key is not an OpenSSH or PEM private key"),
    ({"username": "ops", "private_key": "KEY"}, "Credential 'ops': private_key is encrypted: give its private_key_passphrase"),
    ({"username": "ops", "private_key": "KEY", "private_key_passphrase": "wrong"},
     "Credential 'ops': private_key_passphrase does not open private_key"),
    ({"username": "ops", "password": PASSWORD, "private_key_passphrase": KEY_PASSPHRASE},
     "Credential 'ops': private_key_passphrase is given without a private_key"),
])
def test_bad_keys_are_refused_and_write_nothing(engine, box, db_snapshot, kwargs, message):
    key = _key()
    kwargs = {name: key if value == "KEY" else value for name, value in kwargs.items()}
    before = db_snapshot(engine)
    with pytest.raises(ValidationError) as error:
        _ensure(engine, box, **kwargs)
    assert str(error.value).startswith(message)
    assert "PRIVATE KEY" not in str(error.value) and KEY_PASSPHRASE not in str(error.value)
    assert db_snapshot(engine) == before


def test_a_credential_keeps_a_way_to_log_in_and_one_that_logs_in_to_a_jump_host_stays(engine, box):
    from ansible_collections.netraven.netraven.plugins.module_utils._manage._jump_hosts import ensure_jump_host

    _ensure(engine, box, username="admin", private_key=_key(None))
    with pytest.raises(ValidationError, match="Credential 'admin' would have neither a password nor a private_key"):
        _ensure(engine, box, username="admin", private_key="", update_password="always")
    ensure_jump_host(engine, "bastion", host="192.0.2.250", credential="admin")
    with pytest.raises(ValidationError, match="Credential 'admin' logs in to jump host\\(s\\) 'bastion'"):
        _ensure(engine, box, name="admin", state="absent", check_mode=True)
    assert _ensure(engine, box, username="admin", password=PASSWORD, update_password="always")["password_changed"] is True
