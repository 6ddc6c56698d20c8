# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The key is one passphrase used as given; older ones come from NETRAVEN_ENCRYPTION_OLD_KEYS.

Earlier releases split NETRAVEN_ENCRYPTION_KEY on commas and stripped spaces, so
'x,Long-Random-Passphrase' sealed with 'x' alone. These tests pin the new rule and the
migration message a user with the old 'new,old' syntax gets.
"""

from __future__ import annotations

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import SecretBox, secret_box
from ansible_collections.netraven.netraven.plugins.module_utils._errors import EncryptionKeyError

LONG = "Long-Random-Passphrase"
OLD = "Older-Passphrase-Value"
PLAINTEXT = "device-password-1"
INSTALL_SALT = bytes.fromhex("c0ffee00" * 4)


def db_box(key=None, old_keys=None):
    """The SecretBox of a database whose install salt is INSTALL_SALT."""
    return secret_box(key, old_keys=old_keys, install_salt=INSTALL_SALT)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("NETRAVEN_ENCRYPTION_KEY", "NETRAVEN_ENCRYPTION_OLD_KEYS", "NETRAVEN_ENCRYPTION_SALT"):
        monkeypatch.delenv(name, raising=False)


def test_a_comma_is_part_of_the_passphrase():
    token = db_box("x," + LONG).encrypt(PLAINTEXT)
    for weaker in ("x", LONG):
        assert not SecretBox(weaker + "-padding-12", (), install_salt=INSTALL_SALT).can_decrypt(token)
    with pytest.raises(EncryptionKeyError):
        SecretBox("x", (), install_salt=INSTALL_SALT).decrypt(token)
    assert db_box("x," + LONG).decrypt(token) == PLAINTEXT


def test_spaces_are_part_of_the_passphrase():
    token = db_box("  " + LONG + "  ").encrypt(PLAINTEXT)
    assert not db_box(LONG).can_decrypt(token)
    assert db_box("  " + LONG + "  ").decrypt(token) == PLAINTEXT


@pytest.mark.parametrize("short", ["x", "elevenchars"])
def test_a_short_passphrase_is_refused_in_one_line(short):
    with pytest.raises(EncryptionKeyError) as raised:
        db_box(short)
    message = str(raised.value)
    assert "NETRAVEN_ENCRYPTION_KEY" in message and "12" in message and "\n" not in message and short not in message


def test_old_keys_one_per_line_open_but_do_not_seal(monkeypatch):
    old_token = db_box(OLD).encrypt(PLAINTEXT)
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_KEY", LONG)
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_OLD_KEYS", "first-old-passphrase\n%s\n" % OLD)
    box = db_box()
    assert box.decrypt(old_token) == PLAINTEXT and not box.is_current(old_token)
    assert box.is_current(box.rotate(old_token))
    assert db_box(LONG, old_keys="").decrypt(box.encrypt(PLAINTEXT)) == PLAINTEXT


def test_the_old_comma_syntax_is_named_with_the_new_variable(v1_seal):
    """A user who still has 'new,old' in the key learns to move 'old' to NETRAVEN_ENCRYPTION_OLD_KEYS.

    That user's values were sealed by a release of that time: version 1.
    """
    token = v1_seal(OLD, PLAINTEXT)
    with pytest.raises(EncryptionKeyError) as raised:
        db_box("%s,%s" % (LONG, OLD)).decrypt(token)
    message = str(raised.value)
    assert "NETRAVEN_ENCRYPTION_OLD_KEYS" in message and "comma" in message and "\n" not in message
    assert OLD not in message and LONG not in message
