# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A credential's private key: refused in one line (never quoting the key) unless its passphrase opens it."""

from __future__ import annotations

import pytest

serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
paramiko = pytest.importorskip("paramiko")

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa  # noqa: E402

from ansible_collections.netraven.netraven.plugins.module_utils._backup._private_keys import (  # noqa: E402
    check_private_key,
    paramiko_key,
)
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError  # noqa: E402

PASSPHRASE = "K3y-Passphrase-unit"


def openssh(key, passphrase=None):
    encryption = serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption).decode()


def pem(key, passphrase=None):
    encryption = serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, encryption).decode()


@pytest.mark.parametrize("text, passphrase, paramiko_class", [
    (openssh(ed25519.Ed25519PrivateKey.generate()), None, "Ed25519Key"),
    (openssh(ed25519.Ed25519PrivateKey.generate(), PASSPHRASE), PASSPHRASE, "Ed25519Key"),
    (pem(rsa.generate_private_key(65537, 2048)), None, "RSAKey"),
    (pem(rsa.generate_private_key(65537, 2048), PASSPHRASE), PASSPHRASE, "RSAKey"),
    (pem(ec.generate_private_key(ec.SECP256R1()), PASSPHRASE), PASSPHRASE, "ECDSAKey"),
])
def test_openssh_and_pem_keys_load_with_their_passphrase(text, passphrase, paramiko_class):
    checked = check_private_key("\r\n" + text.replace("\n", "\r\n") + "  ", passphrase, "ops")
    assert checked == text.strip() + "\n"
    assert type(paramiko_key(checked, passphrase)).__name__ == paramiko_class


ENCRYPTED = openssh(ed25519.Ed25519PrivateKey.generate(), PASSPHRASE)
PLAIN = openssh(ed25519.Ed25519PrivateKey.generate())


@pytest.mark.parametrize("text, passphrase, message", [
    ("ssh-ed25519 AAAAC3Nza... ops@host", None, "private_key is not an OpenSSH or PEM private key"),
    (ENCRYPTED, None, "private_key is encrypted: give its private_key_passphrase"),
    (ENCRYPTED, "wrong-passphrase", "private_key_passphrase does not open private_key"),
    (PLAIN, PASSPHRASE, "private_key_passphrase is given but private_key is not encrypted"),
    (PLAIN[:120] + PLAIN[-40:], None, "private_key cannot be read"),
])
def test_bad_keys_are_refused_in_one_line_without_the_key(text, passphrase, message):
    with pytest.raises(ValidationError) as caught:
        check_private_key(text, passphrase, "ops")
    text_of_error = str(caught.value)
    assert text_of_error.startswith("Credential 'ops': " + message), text_of_error
    assert "\n" not in text_of_error and "PRIVATE KEY-----" not in text_of_error
    body = [line for line in text.splitlines() if line and not line.startswith("-----")]
    assert not any(line in text_of_error for line in body if len(line) > 8)
    if passphrase:
        assert passphrase not in text_of_error
