"""Legacy SSH against the reference implementation: a real OpenSSH sshd that speaks only the SHA-1 era.

The device lab's SHA-1-only device is asyncssh; this proves the same opt-in against OpenSSH
itself, configured as an old device is (one SHA-1 key exchange, an ``ssh-rsa`` host key, CBC
ciphers, hmac-sha1, and ``ssh-rsa`` signatures only for user keys). The client side is what
the backup hands netmiko: paramiko's ``SSHClient.connect`` with ``disabled_algorithms`` for
every device and ``LegacyTransport`` only with legacy_ssh.
"""

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import _bastion  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._backup._private_keys import paramiko_key
from ansible_collections.netraven.netraven.plugins.module_utils._backup._ssh_algorithms import (
    LegacyTransport,
    disabled_algorithms,
    legacy_key,
)

pytestmark = [pytest.mark.skipif(_bastion.unavailable() is not None, reason=str(_bastion.unavailable())),
              pytest.mark.slow]

PASSWORD = "Old-Router!pw-5c1e"
KEX = ("diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1", "diffie-hellman-group-exchange-sha1")
OLD_SERVER = ("HostKeyAlgorithms ssh-rsa\nCiphers aes128-cbc,aes256-cbc\nMACs hmac-sha1\n"
              "PubkeyAcceptedAlgorithms ssh-rsa\n")


def _rsa_key_text():
    """An RSA login key in the PEM form old tools write ('BEGIN RSA PRIVATE KEY')."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


@pytest.fixture(scope="module")
def old_servers(tmp_path_factory):
    """{kex: (address, port)}: one real sshd per SHA-1 key exchange, and the RSA login key both users share."""
    bastions = _bastion.Bastions(tmp_path_factory.mktemp("legacy-sshd"))
    key_text = _rsa_key_text()
    public = "ssh-rsa " + paramiko_key(key_text, None).get_base64()
    try:
        bastions.add_user("nrold", password=PASSWORD, public_key=public)
        servers = {}
        for kex in KEX:
            address, port, _none = bastions.start(kex, host_key_type="rsa",
                                                  extra_config="KexAlgorithms %s\n" % kex + OLD_SERVER)
            servers[kex] = (address, port)
        yield servers, key_text
    finally:
        bastions.stop()


def _connect(address, port, legacy, **credentials):
    """An SSHClient connected as the backup connects (the device's algorithms by legacy_ssh)."""
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(address, port=port, username="nrold", timeout=10, banner_timeout=10, auth_timeout=10,
                   look_for_keys=False, allow_agent=False, disabled_algorithms=disabled_algorithms(legacy),
                   transport_factory=LegacyTransport if legacy else None, **credentials)
    return client


@pytest.mark.parametrize("kex", KEX)
def test_a_sha1_only_openssh_server_is_refused_without_legacy_ssh(old_servers, kex):
    """No SHA-1 era algorithm is offered to a device without legacy_ssh: the handshake fails before any login."""
    servers, _key = old_servers
    with pytest.raises(paramiko.SSHException, match="no acceptable kex algorithm"):
        _connect(*servers[kex], legacy=False, password=PASSWORD)


@pytest.mark.parametrize("kex", KEX)
def test_legacy_ssh_negotiates_each_sha1_key_exchange_and_logs_in_with_a_password(old_servers, kex):
    servers, _key = old_servers
    client = _connect(*servers[kex], legacy=True, password=PASSWORD)
    try:
        transport = client.get_transport()
        assert transport.is_authenticated() and transport.get_username() == "nrold"
        assert transport.host_key_type == "ssh-rsa" and transport.remote_cipher in ("aes128-cbc", "aes256-cbc")
        assert transport.remote_mac == "hmac-sha1"
    finally:
        client.close()


def test_legacy_ssh_logs_in_with_an_rsa_key_where_the_server_takes_only_ssh_rsa_signatures(old_servers):
    """An old device verifies SHA-1 (ssh-rsa) signatures only: the legacy login key signs that way."""
    servers, key_text = old_servers
    client = _connect(*servers[KEX[0]], legacy=True, pkey=legacy_key(paramiko_key(key_text, None)))
    try:
        assert client.get_transport().is_authenticated()
    finally:
        client.close()
