# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Versioned ciphertexts and the per-install salt (docs/hardening.md, "Key derivation").

Real SQLite databases: the salt is the row migration 0005 writes (the unit fixture writes
it as the migration does). Version 1 values (0.1's bare Fernet tokens) are made by the
documented derivation without the collection's code (the v1_seal fixture), so the
compatibility is proven, not assumed. The fork test proves that a worker forked after the
warm-up neither queries the database for the salt nor derives a key.
"""

from __future__ import annotations

import json
import hashlib
import os

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils import _crypto, _key_check  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import (  # noqa: E402
    SecretBox,
    install_salt,
    secret_box_for,
)
from ansible_collections.netraven.netraven.plugins.module_utils._backup._prefork import warm_default_database  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import (  # noqa: E402
    EncryptionKeyError,
    SchemaNotReadyError,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import SCHEMA_REVISION, Base, Credential, InstallSecret  # noqa: E402

KEY = "derivation-passphrase"
OLD = "derivation-old-passphrase"
PLAINTEXT = "Device-Pw-42"


def make_database(path, salt_hex=None):
    """A create_all database stamped at head, with install_secrets' row as given (None: no row)."""
    url = "sqlite:///%s" % path
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('%s')" % SCHEMA_REVISION)
        if salt_hex is not None:
            connection.execute(sa.insert(InstallSecret).values(name="kdf_salt", value=salt_hex))
    engine.dispose()
    return url


def assert_one_line(error, *secrets):
    message = str(error)
    assert "\n" not in message and message
    for secret in secrets:
        assert secret not in message
    assert error.__cause__ is None


def test_new_values_are_version_2_and_version_1_still_opens(sqlite_engine, v1_seal):
    box = secret_box_for(sqlite_engine, KEY)
    sealed = box.encrypt(PLAINTEXT)
    assert sealed.startswith("v2:gAAAAA") and box.is_current(sealed)
    legacy = v1_seal(KEY, PLAINTEXT)
    assert legacy.startswith("gAAAAA") and box.decrypt(legacy) == PLAINTEXT
    assert box.can_decrypt(legacy) and not box.is_current(legacy), "a version-1 value under the current key is not current"


def test_rotate_upgrades_version_1_to_version_2_under_the_current_key(sqlite_engine, v1_seal):
    rotating = secret_box_for(sqlite_engine, KEY, old_keys=OLD)
    for legacy in (v1_seal(KEY, PLAINTEXT), v1_seal(OLD, PLAINTEXT)):
        upgraded = rotating.rotate(legacy)
        assert upgraded.startswith("v2:") and rotating.is_current(upgraded)
        assert secret_box_for(sqlite_engine, KEY, old_keys="").decrypt(upgraded) == PLAINTEXT
    under_old = secret_box_for(sqlite_engine, OLD, old_keys="").encrypt(PLAINTEXT)
    assert rotating.can_decrypt(under_old) and not rotating.is_current(under_old)
    assert rotating.is_current(rotating.rotate(under_old))


def test_a_wrong_key_on_a_version_2_value_is_one_line(sqlite_engine):
    sealed = secret_box_for(sqlite_engine, KEY).encrypt(PLAINTEXT)
    wrong = secret_box_for(sqlite_engine, "another-passphrase", old_keys="")
    assert not wrong.can_decrypt(sealed) and not wrong.is_current(sealed)
    for action in (wrong.decrypt, wrong.rotate):
        with pytest.raises(EncryptionKeyError) as caught:
            action(sealed)
        assert "NETRAVEN_ENCRYPTION_KEY cannot decrypt" in str(caught.value)
        assert_one_line(caught.value, KEY, "another-passphrase", PLAINTEXT, sealed)


def test_the_salt_is_per_install(tmp_path):
    """Same passphrase, two databases: different keys, so neither opens the other's values."""
    first = create_db_engine(make_database(tmp_path / "a.db", os.urandom(16).hex()))
    second = create_db_engine(make_database(tmp_path / "b.db", os.urandom(16).hex()))
    try:
        assert install_salt(first) != install_salt(second)
        box_a, box_b = secret_box_for(first, KEY), secret_box_for(second, KEY)
        token_a = box_a.encrypt(PLAINTEXT)
        assert box_a.decrypt(token_a) == PLAINTEXT
        assert not box_b.can_decrypt(token_a)
        assert not box_a.can_decrypt(box_b.encrypt(PLAINTEXT))
    finally:
        first.dispose()
        second.dispose()


def test_the_salt_is_read_once_per_database(tmp_path):
    url = make_database(tmp_path / "once.db", os.urandom(16).hex())
    engine = create_db_engine(url)
    try:
        salt = install_salt(engine)
        with engine.begin() as connection:
            connection.execute(sa.delete(InstallSecret))
        assert install_salt(engine) == salt, "the second call is served from the process cache"
        other = create_db_engine(url)
        assert install_salt(other) == salt, "cached per database URL, not per engine"
        other.dispose()
    finally:
        engine.dispose()


@pytest.mark.parametrize("salt_hex", [None, "", "zz" * 16, "ab" * 15])
def test_a_missing_or_unusable_salt_row_is_one_line(tmp_path, salt_hex):
    engine = create_db_engine(make_database(tmp_path / "nosalt.db", salt_hex))
    try:
        with pytest.raises(SchemaNotReadyError) as caught:
            secret_box_for(engine, KEY)
        message = str(caught.value)
        assert "install_secrets" in message and "'kdf_salt'" in message and "0005_install_secrets" in message
        assert_one_line(caught.value, KEY)
    finally:
        engine.dispose()


def test_an_unknown_version_asks_for_an_upgrade(sqlite_engine):
    box = secret_box_for(sqlite_engine, KEY)
    token = "v3:" + box.encrypt(PLAINTEXT)[3:]
    assert not box.can_decrypt(token) and not box.is_current(token)
    with pytest.raises(EncryptionKeyError) as caught:
        box.decrypt(token)
    assert "version 3" in str(caught.value) and "upgrade netraven.netraven" in str(caught.value)
    assert_one_line(caught.value, KEY, PLAINTEXT)


def test_a_box_without_the_install_salt_opens_version_1_and_refuses_to_seal(v1_seal):
    box = SecretBox(KEY, ())
    assert box.decrypt(v1_seal(KEY, PLAINTEXT)) == PLAINTEXT
    with pytest.raises(EncryptionKeyError) as caught:
        box.encrypt(PLAINTEXT)
    assert "secret_box_for" in str(caught.value)
    assert_one_line(caught.value, KEY, PLAINTEXT)


def test_the_marker_key_is_stretched_and_per_install(tmp_path):
    """Markers come from the install's stretched key: two installs differ, a box without the salt refuses."""
    first = create_db_engine(make_database(tmp_path / "m1.db", os.urandom(16).hex()))
    second = create_db_engine(make_database(tmp_path / "m2.db", os.urandom(16).hex()))
    try:
        marker = secret_box_for(first, KEY).marker_key()
        assert len(marker) == 32
        assert secret_box_for(first, KEY).marker_key() == marker
        assert secret_box_for(second, KEY).marker_key() != marker
        assert secret_box_for(first, OLD).marker_key() != marker
        assert hashlib.sha256(b"netraven-secret-marker\0" + KEY.encode("utf-8")).digest() != marker
        with pytest.raises(EncryptionKeyError) as caught:
            SecretBox(KEY, ()).marker_key()
        assert "secret_box_for" in str(caught.value)
        assert_one_line(caught.value, KEY)
    finally:
        first.dispose()
        second.dispose()


def _seed_credential(engine, token, name="ops"):
    with engine.begin() as connection:
        connection.execute(sa.insert(Credential).values(name=name, username=name, password=token))


def _derivation_counter(monkeypatch):
    calls = []
    real = _crypto.derive_fernet_key

    def counting(passphrase, salt, rounds=_crypto.PBKDF2_ROUNDS):
        calls.append(rounds)
        return real(passphrase, salt, rounds)

    monkeypatch.setattr(_crypto, "derive_fernet_key", counting)
    return calls


def test_the_warm_up_derives_in_the_parent_and_a_forked_worker_derives_nothing(tmp_path, monkeypatch, v1_seal):
    """What the backup action does before Ansible forks: the worker inherits the salt and the keys."""
    url = make_database(tmp_path / "warm.db", os.urandom(16).hex())
    monkeypatch.setenv("NETRAVEN_DB_URL", url)
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_KEY", "warm-up-passphrase-1")
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_OLD_KEYS", "warm-up-old-passphrase")
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_SALT", raising=False)
    engine = sa.create_engine(url)
    _seed_credential(engine, v1_seal("warm-up-old-passphrase", PLAINTEXT), name="old")
    # A value the current key opens: this install from before the key check proves its key with it.
    _seed_credential(engine, v1_seal("warm-up-passphrase-1", PLAINTEXT))
    engine.dispose()
    calls = _derivation_counter(monkeypatch)
    assert warm_default_database() is True
    # Both passphrases at version 2, and at version 1 because a version-1 password is stored.
    assert sorted(calls) == [100000, 100000, 600000, 600000]
    del calls[:]

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 1
        try:
            os.close(read_end)

            def no_query(*_args, **_kwargs):
                raise AssertionError("the worker queried the database for the salt")

            monkeypatch.setattr(_crypto, "read_scope", no_query)
            monkeypatch.setattr(_key_check, "read_scope", no_query)  # the key check too: inherited
            worker_engine = create_db_engine(url, check_schema=False)
            with worker_engine.connect() as connection:
                token = connection.execute(sa.select(Credential.password).where(Credential.name == "old")).scalar_one()
            box = secret_box_for(worker_engine)
            report = {"plaintext_ok": box.decrypt(token) == PLAINTEXT, "sealed": box.encrypt("x").startswith("v2:"),
                      "derivations": len(calls)}
            worker_engine.dispose()
            os.write(write_end, json.dumps(report).encode("utf-8"))
            code = 0
        except BaseException as error:  # pylint: disable=broad-except
            os.write(write_end, json.dumps({"error": str(error)}).encode("utf-8"))
        finally:
            os._exit(code)  # pylint: disable=protected-access
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        report = json.loads(pipe.read().decode("utf-8") or "{}")
    os.waitpid(pid, 0)
    assert report == {"plaintext_ok": True, "sealed": True, "derivations": 0}


def test_the_warm_up_skips_version_1_keys_when_none_is_stored(tmp_path, monkeypatch):
    url = make_database(tmp_path / "v2only.db", os.urandom(16).hex())
    monkeypatch.setenv("NETRAVEN_DB_URL", url)
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_KEY", "warm-up-v2-only-passphrase")
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_OLD_KEYS", raising=False)
    calls = _derivation_counter(monkeypatch)
    engine = create_db_engine(url)
    _seed_credential(engine, secret_box_for(engine).encrypt(PLAINTEXT))
    engine.dispose()
    assert calls == [600000]
    # The seeding derived the version-2 key (cached): the warm-up derives no version-1 key.
    assert warm_default_database() is True
    assert calls == [600000]


def test_the_warm_up_never_creates_the_embedded_database(tmp_path, monkeypatch):
    monkeypatch.delenv("NETRAVEN_DB_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_KEY", "warm-up-no-db-passphrase")
    assert warm_default_database() is False
    assert not (tmp_path / "data").exists()


def test_without_a_key_the_warm_up_does_nothing(tmp_path, monkeypatch):
    url = make_database(tmp_path / "nokey.db", os.urandom(16).hex())
    monkeypatch.setenv("NETRAVEN_DB_URL", url)
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_KEY", raising=False)
    calls = _derivation_counter(monkeypatch)
    assert warm_default_database() is False
    assert calls == []
