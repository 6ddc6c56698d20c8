# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SHA-1 era SSH only for legacy_ssh devices: what paramiko may negotiate, per device, whatever its version."""

from __future__ import annotations

import pytest

paramiko = pytest.importorskip("paramiko")

from ansible_collections.netraven.netraven.plugins.module_utils._backup import _ssh_algorithms  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._backup._ssh_algorithms import (  # noqa: E402
    LEGACY_CIPHERS,
    LEGACY_KEX,
    LegacyRSAKey,
    LegacyTransport,
    disabled_algorithms,
    legacy_key,
    needs_legacy,
    offered,
)

SHA1_ERA = set(LEGACY_KEX) | {"ssh-rsa", "ssh-dss"} | set(LEGACY_CIPHERS)


def _negotiable(transport_class, disabled):
    """What a transport of that class with those disabled_algorithms would offer, kind by kind."""
    transport = transport_class.__new__(transport_class)
    transport.disabled_algorithms = disabled
    return {kind: set(transport._filter_algorithm(kind)) for kind in ("kex", "keys", "ciphers", "pubkeys")}  # pylint: disable=protected-access


def test_a_modern_device_never_offers_a_sha1_era_algorithm():
    negotiable = _negotiable(paramiko.Transport, disabled_algorithms(False))
    assert not set().union(*negotiable.values()) & SHA1_ERA
    # paramiko 5 still offers CBC by default: the modern setting takes it away.
    assert set(paramiko.Transport._preferred_ciphers) & set(LEGACY_CIPHERS)  # pylint: disable=protected-access
    assert negotiable["kex"] and negotiable["ciphers"] and negotiable["keys"]


def test_a_legacy_device_offers_them_after_every_modern_one_and_nothing_global_changes():
    before = {name: tuple(getattr(paramiko.Transport, "_preferred_" + name)) for name in ("kex", "keys", "ciphers")}
    negotiable = _negotiable(LegacyTransport, disabled_algorithms(True))
    assert set(LEGACY_KEX) <= negotiable["kex"] and "ssh-rsa" in negotiable["keys"]
    assert {"aes128-cbc", "aes256-cbc"} <= negotiable["ciphers"]
    kex = list(LegacyTransport._preferred_kex)  # pylint: disable=protected-access
    assert kex.index("diffie-hellman-group14-sha1") > max(kex.index(name) for name in offered("kex", False))
    for name in LEGACY_KEX:
        engine = LegacyTransport._kex_info[name]  # pylint: disable=protected-access
        assert engine.name == name and engine.hash_algo().name == "sha1"
    assert LegacyTransport._key_info["ssh-rsa"] in (LegacyRSAKey, paramiko.RSAKey)  # pylint: disable=protected-access
    assert {name: tuple(getattr(paramiko.Transport, "_preferred_" + name)) for name in ("kex", "keys", "ciphers")} == before


def test_group1_uses_the_1024_bit_oakley_prime():
    assert _ssh_algorithms.GROUP1_PRIME.bit_length() == 1024
    assert LegacyTransport._kex_info["diffie-hellman-group1-sha1"].P == _ssh_algorithms.GROUP1_PRIME  # pylint: disable=protected-access


def test_an_openssh_config_narrows_and_its_sha1_names_count_as_legacy():
    allowed = {"kex": ["curve25519-sha256@libssh.org", "diffie-hellman-group14-sha1"], "ciphers": ["aes256-ctr"]}
    assert needs_legacy(allowed) and not needs_legacy({"kex": ["curve25519-sha256@libssh.org"]}) and not needs_legacy(None)
    negotiable = _negotiable(LegacyTransport, disabled_algorithms(True, allowed))
    assert negotiable["kex"] == set(allowed["kex"]) and negotiable["ciphers"] == {"aes256-ctr"}
    # Without legacy, a SHA-1 name in the list still is not negotiable.
    assert _negotiable(paramiko.Transport, disabled_algorithms(False, allowed))["kex"] == {"curve25519-sha256@libssh.org"}


def test_an_rsa_login_key_signs_ssh_rsa_only_for_a_legacy_device():
    rsa_key = paramiko.RSAKey.generate(1024)
    legacy = legacy_key(rsa_key)
    assert isinstance(legacy, LegacyRSAKey) and legacy.asbytes() == rsa_key.asbytes()
    assert legacy.sign_ssh_data(b"data", "ssh-rsa") is not None
    with pytest.raises(KeyError):
        rsa_key.sign_ssh_data(b"data", "ssh-rsa")
    ed25519 = paramiko.Ed25519Key.from_private_key(_ed25519_pem())
    assert legacy_key(ed25519) is ed25519


@pytest.mark.parametrize("server_sig_algs, signed_with", [
    (None, "ssh-rsa"),  # an old device: no RFC 8308 list, and it verifies ssh-rsa only
    (b"ssh-ed25519,rsa-sha2-512,rsa-sha2-256", "rsa-sha2-512"),  # a server that left ssh-rsa out
    (b"ssh-rsa,rsa-sha2-256", "ssh-rsa"),
])
def test_a_legacy_device_gets_ssh_rsa_signatures_unless_its_list_leaves_them_out(server_sig_algs, signed_with):
    """paramiko signs with the first RSA algorithm the transport prefers when the server sends no server-sig-algs."""
    import socket  # pylint: disable=import-outside-toplevel

    from paramiko.auth_handler import AuthHandler  # pylint: disable=import-outside-toplevel

    ours, theirs = socket.socketpair()
    transport = LegacyTransport(ours, disabled_algorithms=disabled_algorithms(True))
    try:
        transport.server_extensions = {"server-sig-algs": server_sig_algs} if server_sig_algs else {}
        assert AuthHandler(transport)._finalize_pubkey_algorithm("ssh-rsa") == signed_with  # pylint: disable=protected-access
    finally:
        transport.close()
        theirs.close()


def _ed25519_pem():
    import io  # pylint: disable=import-outside-toplevel

    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ed25519  # pylint: disable=import-outside-toplevel

    return io.StringIO(ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()).decode())
