# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A credential's SSH private key: checked when it is written, loaded for a login.

The key is text (OpenSSH ``-----BEGIN OPENSSH PRIVATE KEY-----`` or PEM) kept sealed in the
database, never a file: a key file would be one more copy of a secret on the controller's
disk. The credential module checks the key and its passphrase with ``check_private_key``
(one line naming what is wrong, never a byte of the key), so a backup never meets a key it
cannot open; ``paramiko_key`` turns it into the paramiko key the session offers.
"""

from __future__ import annotations

import io
from typing import Any, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError

try:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - requirements.txt installs it
    HAS_CRYPTOGRAPHY = False

try:
    import paramiko
    HAS_PARAMIKO = True
except ImportError:  # pragma: no cover - netmiko brings it
    HAS_PARAMIKO = False

KEY_MARKER = "-----BEGIN "
SUPPORTED = "RSA, ECDSA or Ed25519"


def normalise_key_text(text: str) -> str:
    """The key as stored and compared: LF line ends, no surrounding blanks, one final newline."""
    return text.replace("\r\n", "\n").strip() + "\n"


def _load(text: str, passphrase: Optional[str]) -> Any:
    """The cryptography key object; TypeError/ValueError as cryptography raises them."""
    data = text.encode("utf-8")
    password = passphrase.encode("utf-8") if passphrase else None
    if "OPENSSH PRIVATE KEY" in text:
        return serialization.load_ssh_private_key(data, password=password)
    return serialization.load_pem_private_key(data, password=password)


def check_private_key(text: str, passphrase: Optional[str], name: str) -> str:
    """The normalised key text when it is an RSA, ECDSA or Ed25519 private key that passphrase opens.

    Raises a ValidationError naming the credential and what is wrong: not a private key, a
    passphrase missing, wrong or not needed, a key type SSH logins cannot use.
    """
    if not HAS_CRYPTOGRAPHY:  # pragma: no cover
        raise ValidationError("Credential '%s': the Python library 'cryptography' is required to check private_key" % name)
    text = normalise_key_text(text)
    if KEY_MARKER not in text or "PRIVATE KEY-----" not in text:
        raise ValidationError("Credential '%s': private_key is not an OpenSSH or PEM private key (the text of the key "
                              "file, from -----BEGIN to -----END)" % name)
    try:
        key = _load(text, passphrase)
    except TypeError:
        if passphrase:
            raise ValidationError("Credential '%s': private_key_passphrase is given but private_key is not encrypted"
                                  % name) from None
        raise ValidationError("Credential '%s': private_key is encrypted: give its private_key_passphrase" % name) from None
    except ValueError:
        if passphrase:
            raise ValidationError("Credential '%s': private_key_passphrase does not open private_key (or the key is "
                                  "damaged)" % name) from None
        raise ValidationError("Credential '%s': private_key cannot be read (a damaged key, or a format other than "
                              "OpenSSH and PEM)" % name) from None
    except Exception:  # pylint: disable=broad-except
        raise ValidationError("Credential '%s': private_key cannot be read as an %s key" % (name, SUPPORTED)) from None
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)):
        raise ValidationError("Credential '%s': private_key is a %s key; SSH logins here use %s keys" % (
            name, type(key).__name__.replace("PrivateKey", "").lstrip("_"), SUPPORTED))
    return text


def paramiko_key(text: str, passphrase: Optional[str]) -> Any:
    """The key as the paramiko PKey a login offers (the class of its type)."""
    key = _load(text, passphrase)
    key_class: Any
    if isinstance(key, rsa.RSAPrivateKey):
        key_class = paramiko.RSAKey
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        key_class = paramiko.ECDSAKey
    else:
        key_class = paramiko.Ed25519Key
    return key_class.from_private_key(io.StringIO(text), password=passphrase or None)
