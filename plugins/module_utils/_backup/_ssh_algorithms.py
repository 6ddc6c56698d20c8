# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which SSH algorithms a device may negotiate: modern ones for every device, the SHA-1 era ones only with legacy_ssh.

Older devices (IOS 12.x/15.0, old ASA, ProCurve, ...) offer only the SHA-1 key exchanges
(diffie-hellman-group1-sha1, -group14-sha1, -group-exchange-sha1), ``ssh-rsa`` (SHA-1) host
keys and CBC ciphers. paramiko 5 removed the first two and still offers CBC; paramiko 4 still
offers all three. Neither may be negotiated with a modern device, and a device flagged
``legacy_ssh`` must still reach them.

How (docs/reaching-devices.md, "Legacy SSH"): every device gets ``disabled_algorithms`` (paramiko's
public way to take algorithms away) that removes the SHA-1 era algorithms the installed
paramiko still has, whatever its version. A ``legacy_ssh`` device instead gets its own
``LegacyTransport`` through ``SSHClient.connect(transport_factory=...)`` (public since paramiko
3.2): a Transport subclass whose class attributes add, for that connection only, the SHA-1
key exchanges (the same classes as paramiko's SHA-256 ones with the SHA-1 hash and, for group1,
the 1024-bit prime) and an RSA key class that still verifies ``ssh-rsa`` signatures. Nothing
global changes: another device, another collection's paramiko connection in the same worker,
never sees them. The price is a dependency on paramiko's class attributes (``_preferred_kex``,
``_kex_info``, ``_preferred_keys``, ``_key_info``, ``RSAKey.HASHES``), stable since paramiko 2.9;
tests/unit/plugins/module_utils/test_ssh_algorithms.py pins them, and the device lab's
SHA-1-only device proves the result on every run.

Rejected alternatives: pinning paramiko below 5 keeps every controller on an unmaintained
major for a few devices; a second SSH library (asyncssh) for legacy devices would need a
netmiko channel shim, a second code path to keep secure, and a dependency in every EE.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

try:
    import paramiko
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers import algorithms, modes
    from paramiko.kex_gex import KexGexSHA256
    from paramiko.kex_group14 import KexGroup14SHA256
    HAS_PARAMIKO = True
except ImportError:  # pragma: no cover - netmiko brings paramiko
    HAS_PARAMIKO = False

LEGACY_KEX = ("diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1", "diffie-hellman-group1-sha1")
LEGACY_KEYS = ("ssh-rsa", "ssh-dss")
LEGACY_CIPHERS = ("aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc", "blowfish-cbc")
LEGACY_PUBKEYS = ("ssh-rsa", "ssh-dss")
# paramiko's names of the algorithm kinds (disabled_algorithms keys) -> the SHA-1 era algorithms of that kind.
LEGACY = {"kex": LEGACY_KEX, "keys": LEGACY_KEYS, "ciphers": LEGACY_CIPHERS, "pubkeys": LEGACY_PUBKEYS}

# RFC 2409 Oakley group 2 (1024-bit MODP), the prime of diffie-hellman-group1-sha1.
GROUP1_PRIME = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16)

LEGACY_HINT = ("the device may offer only SHA-1 era SSH (SHA-1 key exchanges, ssh-rsa host keys, CBC ciphers): "
               "set legacy_ssh for this device (docs/reaching-devices.md)")


def _legacy_classes() -> Tuple[Dict[str, Any], Dict[str, Any], Dict[str, Any]]:
    """(kex classes, host key classes, cipher entries) of the SHA-1 era algorithms the installed paramiko lacks."""
    base: Any = paramiko.Transport  # its algorithm tables are class attributes the type stubs do not list

    class KexGroup14SHA1(KexGroup14SHA256):
        name = "diffie-hellman-group14-sha1"
        hash_algo = hashlib.sha1

    class KexGroup1SHA1(KexGroup14SHA256):
        P = GROUP1_PRIME
        name = "diffie-hellman-group1-sha1"
        hash_algo = hashlib.sha1

    class KexGexSHA1(KexGexSHA256):
        name = "diffie-hellman-group-exchange-sha1"
        hash_algo = hashlib.sha1
        min_bits = 1024  # what those devices' moduli files hold

    kex = {cls.name: cls for cls in (KexGroup14SHA1, KexGexSHA1, KexGroup1SHA1) if cls.name not in base._kex_info}
    keys = {} if "ssh-rsa" in base._key_info else {"ssh-rsa": LegacyRSAKey}
    ciphers = {}
    for name, size in (("aes128-cbc", 16), ("aes192-cbc", 24), ("aes256-cbc", 32)):
        if name not in base._cipher_info:
            ciphers[name] = {"class": algorithms.AES, "mode": modes.CBC, "block-size": 16, "key-size": size}
    return kex, keys, ciphers


if HAS_PARAMIKO:
    class LegacyRSAKey(paramiko.RSAKey):
        """An RSA key that still signs and verifies ``ssh-rsa`` (SHA-1) signatures: legacy devices only."""

        HASHES = dict(paramiko.RSAKey.HASHES, **{"ssh-rsa": hashes.SHA1,  # type: ignore[misc]
                                                 "ssh-rsa-cert-v01@openssh.com": hashes.SHA1})

    _KEX, _KEYS, _CIPHERS = _legacy_classes()
    _BASE: Any = paramiko.Transport

    class LegacyTransport(paramiko.Transport):
        """A Transport that may also negotiate the SHA-1 era algorithms, after every modern one (legacy_ssh only)."""

        _preferred_kex = tuple(_BASE._preferred_kex) + tuple(
            name for name in LEGACY_KEX if name not in _BASE._preferred_kex and (name in _KEX or name in _BASE._kex_info))
        _kex_info = dict(_BASE._kex_info, **_KEX)
        _preferred_keys = tuple(_BASE._preferred_keys) + (() if "ssh-rsa" in _BASE._preferred_keys else ("ssh-rsa",))
        _key_info = dict(_BASE._key_info, **_KEYS)
        # ssh-rsa first among the RSA signatures: a server that lists what it verifies (server-sig-algs)
        # still gets rsa-sha2-* when it leaves ssh-rsa out, but an old device sends no such list, and
        # paramiko then signs with the first of these; those devices verify ssh-rsa only (as OpenSSH's
        # client, which falls back to ssh-rsa there).
        _preferred_pubkeys = ("ssh-rsa",) + tuple(name for name in _BASE._preferred_pubkeys if name != "ssh-rsa")
        _preferred_ciphers = tuple(_BASE._preferred_ciphers) + tuple(
            name for name in _CIPHERS if name not in _BASE._preferred_ciphers)
        _cipher_info = dict(_BASE._cipher_info, **_CIPHERS)
else:  # pragma: no cover
    LegacyTransport = None  # type: ignore[assignment,misc]
    LegacyRSAKey = None  # type: ignore[assignment,misc]


def offered(kind: str, legacy: bool) -> List[str]:
    """The algorithms of a kind (kex, keys, ciphers, macs, pubkeys) a device may negotiate, in preference order."""
    transport = LegacyTransport if legacy else paramiko.Transport
    names = list(getattr(transport, "_preferred_" + kind))
    return names if legacy else [name for name in names if name not in LEGACY.get(kind, ())]


def disabled_algorithms(legacy: bool, allowed: Optional[Mapping[str, Iterable[str]]] = None) -> Dict[str, List[str]]:
    """paramiko's disabled_algorithms for a device: the SHA-1 era ones unless legacy, and whatever allowed leaves out.

    allowed (an OpenSSH config's KexAlgorithms, HostKeyAlgorithms, Ciphers, MACs, as paramiko kinds)
    narrows each kind it names to those algorithms; a legacy algorithm it names counts only with legacy.
    """
    transport = LegacyTransport if legacy else paramiko.Transport
    disabled: Dict[str, List[str]] = {}
    for kind in ("kex", "keys", "ciphers", "macs", "pubkeys"):
        names = list(getattr(transport, "_preferred_" + kind))
        keep = set(offered(kind, legacy))
        if allowed and kind in allowed:
            keep &= set(allowed[kind])
        removed = [name for name in names if name not in keep]
        if removed:
            disabled[kind] = removed
    return disabled


def needs_legacy(allowed: Optional[Mapping[str, Iterable[str]]]) -> bool:
    """True when an OpenSSH config's algorithm lists name a SHA-1 era algorithm (which then counts as legacy_ssh)."""
    if not allowed:
        return False
    return any(name in LEGACY.get(kind, ()) for kind, names in allowed.items() for name in names)


def legacy_key(pkey: Any) -> Any:
    """An RSA login key as LegacyRSAKey (a legacy device may accept only ssh-rsa signatures); other keys as they are."""
    if LegacyRSAKey is not None and isinstance(pkey, paramiko.RSAKey) and not isinstance(pkey, LegacyRSAKey):
        return LegacyRSAKey(key=pkey.key)
    return pkey
