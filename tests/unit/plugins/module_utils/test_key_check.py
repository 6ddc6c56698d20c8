# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The install's key is recorded and a key that does not match it is refused (_key_check).

Real SQLite database, real encryption. Values written as another tool (or an older release)
would are sealed without the check (``sealer``). The scenarios of the issue: a typo in
NETRAVEN_ENCRYPTION_KEY with the right passphrase among the old keys, refused for reads and
for writes; a ``new,old`` value refused before anything is sealed; an install from before the
check recording its key on first use, but only a key that proves itself; rekey as the one way
to adopt a new key.
"""

from __future__ import annotations

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils import _key_check  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import (  # noqa: E402
    install_salt,
    secret_box,
    secret_box_for,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, InstallSecret, Tag  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import EncryptionKeyError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._lifecycle import start_job  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._credentials import ensure_credential  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._devices import ensure_device  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._rekey import rekey_credentials  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._tags import ensure_tag  # noqa: E402

KEY = "the-install-passphrase"
TYPO = "the-install-passphrasw"
NEW = "the-next-install-passphrase"


@pytest.fixture(autouse=True)
def fresh_checks():
    """Each step re-reads the record (a process caches its checks per URL and passphrase)."""
    _key_check.forget_checks()
    yield
    _key_check.forget_checks()


def sealer(engine, passphrase):
    return secret_box(passphrase, old_keys="", install_salt=install_salt(engine))


def recorded(engine):
    with engine.connect() as connection:
        return connection.execute(sa.select(InstallSecret.value).where(InstallSecret.name == "key_check")).scalar()


def credentials(engine):
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(Credential.name, Credential.password)).all())


def write_credential(engine, key, name="ops", password="Ops-Passw0rd!", old_keys=""):
    """The credential module's core with the box of key (and old keys): a write."""
    ensure_tag(engine, "core")
    return ensure_credential(engine, lambda: secret_box_for(engine, key, old_keys), name=name, username=name,
                             password=password, update_password="always", tags=["core"])


def test_the_first_write_records_a_check_value_never_the_key(sqlite_engine):
    assert recorded(sqlite_engine) is None
    write_credential(sqlite_engine, KEY)
    value = recorded(sqlite_engine)
    assert value.startswith("v2:") and len(value) == 3 + 64
    assert KEY not in value and KEY.encode().hex() not in value
    box = secret_box_for(sqlite_engine, KEY)
    assert value == box.check_value() and bytes.fromhex(value[3:]) != box.marker_key()  # not the markers' key
    assert secret_box_for(sqlite_engine, KEY).decrypt(credentials(sqlite_engine)["ops"]) == "Ops-Passw0rd!"


def test_a_mistyped_key_with_the_right_one_among_the_old_keys_is_refused_for_reads_and_writes(sqlite_engine, db_snapshot):
    """Before, everything opened, new values were sealed under the typo, every marker changed."""
    write_credential(sqlite_engine, KEY)
    ensure_device(sqlite_engine, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core"])
    before = db_snapshot(sqlite_engine)
    with pytest.raises(EncryptionKeyError) as refused:
        secret_box_for(sqlite_engine, TYPO, old_keys=KEY)
    message = str(refused.value)
    assert message.startswith("NETRAVEN_ENCRYPTION_KEY is not the key this install records")
    assert "NETRAVEN_ENCRYPTION_OLD_KEYS holds it: run netraven.netraven.rekey" in message and "\n" not in message
    assert KEY not in message and TYPO not in message
    # A write: the credential module seals nothing.
    with pytest.raises(EncryptionKeyError, match="is not the key this install records"):
        write_credential(sqlite_engine, TYPO, name="new-one", old_keys=KEY)
    assert db_snapshot(sqlite_engine) == before
    # A read: the job start opens nothing and settles the job in one line.
    result = start_job(sqlite_engine, lambda: secret_box_for(sqlite_engine, TYPO, KEY), hostnames=["r1"])
    assert result["status"] == "FAILED_CREDENTIAL_RESOLUTION" and "is not the key this install records" in result["msg"]
    # Without the old key, a plain mismatch, naming rekey as the only way to adopt a key.
    with pytest.raises(EncryptionKeyError, match="does not match the key this install records .* Only "
                                                 "netraven.netraven.rekey adopts a new key"):
        secret_box_for(sqlite_engine, TYPO, old_keys="")


@pytest.mark.parametrize("recorded_first", [True, False])
def test_a_new_comma_old_value_is_refused_before_anything_is_sealed(sqlite_engine, db_snapshot, recorded_first):
    """The old rotation syntax was caught when a value was opened, not when one was written."""
    if recorded_first:
        write_credential(sqlite_engine, KEY)
    else:  # an install from before the key check: values sealed under KEY, no record
        ensure_tag(sqlite_engine, "core")
        with session_scope(sqlite_engine) as session:
            session.add(Credential(name="ops", username="ops", password=sealer(sqlite_engine, KEY).encrypt("Ops-Pw-1")))
    before = db_snapshot(sqlite_engine)
    with pytest.raises(EncryptionKeyError) as refused:
        write_credential(sqlite_engine, "%s,%s" % (NEW, KEY), name="second")
    message = str(refused.value)
    assert "contains a comma" in message and "NETRAVEN_ENCRYPTION_OLD_KEYS" in message and "\n" not in message
    assert KEY not in message and NEW not in message
    assert db_snapshot(sqlite_engine) == before


def test_an_install_from_before_the_check_records_only_a_key_that_opens_a_value(sqlite_engine):
    ensure_tag(sqlite_engine, "core")
    ensure_device(sqlite_engine, "r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=["core"])
    with session_scope(sqlite_engine) as session:  # as an older release sealed it: no record
        core = session.execute(sa.select(Tag).where(Tag.name == "core")).scalar_one()
        session.add(Credential(name="ops", username="ops", password=sealer(sqlite_engine, KEY).encrypt("Ops-Pw-1"),
                               tags=[core]))
    # A typo with the right key among the old ones opens everything, but proves nothing: refused, not recorded.
    with pytest.raises(EncryptionKeyError, match="opens none of the stored values, NETRAVEN_ENCRYPTION_OLD_KEYS does"):
        secret_box_for(sqlite_engine, TYPO, old_keys=KEY)
    assert recorded(sqlite_engine) is None
    # The install's own key opens a value: accepted, and recorded by the first job start that uses it.
    result = start_job(sqlite_engine, lambda: secret_box_for(sqlite_engine, KEY, ""), hostnames=["r1"])
    assert result["status"] == "RUNNING", result
    assert recorded(sqlite_engine) == secret_box_for(sqlite_engine, KEY).check_value()
    _key_check.forget_checks()
    with pytest.raises(EncryptionKeyError, match="is not the key this install records"):
        secret_box_for(sqlite_engine, TYPO, old_keys=KEY)
    # Check mode records nothing.
    with sqlite_engine.begin() as connection:
        connection.execute(sa.delete(InstallSecret).where(InstallSecret.name == "key_check"))
    _key_check.forget_checks()
    start_job(sqlite_engine, lambda: secret_box_for(sqlite_engine, KEY, ""), hostnames=["r1"], check_mode=True)
    assert recorded(sqlite_engine) is None


def test_rekey_is_the_one_way_to_adopt_a_new_key(sqlite_engine, db_snapshot):
    write_credential(sqlite_engine, KEY)
    old_record = recorded(sqlite_engine)
    # Mid-rotation: the new key first, the recorded one among the old keys. Every other task refuses it.
    with pytest.raises(EncryptionKeyError, match="NETRAVEN_ENCRYPTION_OLD_KEYS holds it"):
        secret_box_for(sqlite_engine, NEW, old_keys=KEY)
    adopting = secret_box_for(sqlite_engine, NEW, old_keys=KEY, adopting=True)
    before = db_snapshot(sqlite_engine)
    planned = rekey_credentials(sqlite_engine, adopting, check_mode=True)
    assert planned["key_adopted"] is True and planned["changed"] is True and "would be recorded" in planned["msg"]
    assert db_snapshot(sqlite_engine) == before
    done = rekey_credentials(sqlite_engine, adopting)
    assert done["key_adopted"] is True and done["rekeyed"] == ["ops"]
    assert recorded(sqlite_engine) not in (None, old_record)
    # The new key alone now opens everything; the old one is refused.
    assert secret_box_for(sqlite_engine, NEW, old_keys="").decrypt(credentials(sqlite_engine)["ops"]) == "Ops-Passw0rd!"
    with pytest.raises(EncryptionKeyError, match="does not match the key this install records"):
        secret_box_for(sqlite_engine, KEY, old_keys="")
    again = rekey_credentials(sqlite_engine, secret_box_for(sqlite_engine, NEW, old_keys="", adopting=True))
    assert (again["changed"], again["key_adopted"]) == (False, False)


def test_rekey_never_adopts_a_key_when_the_recorded_one_is_not_configured(sqlite_engine, db_snapshot):
    write_credential(sqlite_engine, KEY)
    before = db_snapshot(sqlite_engine)
    for key, old_keys in ((TYPO, ""), (NEW, "some-other-passphrase")):
        with pytest.raises(EncryptionKeyError, match="is neither NETRAVEN_ENCRYPTION_KEY nor one of "
                                                     "NETRAVEN_ENCRYPTION_OLD_KEYS: nothing was re-sealed"):
            rekey_credentials(sqlite_engine, secret_box_for(sqlite_engine, key, old_keys=old_keys, adopting=True))
    with pytest.raises(EncryptionKeyError, match="contains a comma"):
        rekey_credentials(sqlite_engine, secret_box_for(sqlite_engine, "%s,%s" % (NEW, KEY), old_keys="", adopting=True))
    assert db_snapshot(sqlite_engine) == before


def test_a_different_record_written_meanwhile_is_refused(sqlite_engine):
    secret_box_for(sqlite_engine, KEY)  # checked: nothing sealed yet, the record is pending
    with sqlite_engine.begin() as connection:  # another run recorded another key in between
        connection.execute(sa.insert(InstallSecret).values(name="key_check", value=sealer(sqlite_engine, NEW).check_value()))
    with pytest.raises(EncryptionKeyError, match="Another run recorded a different key"):
        write_credential(sqlite_engine, KEY)
    assert credentials(sqlite_engine) == {}
