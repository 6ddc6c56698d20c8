"""Each fault raises what a real device would make plain netmiko raise.

The exact types asserted here are the contract the backup code relies on:

* wrong password      -> NetmikoAuthenticationException
* closed              -> NetmikoTimeoutException ("TCP connection to device failed")
* blackhole           -> NetmikoTimeoutException after banner_timeout
* slow                -> ReadTimeout from send_command(read_timeout < latency)
* truncate            -> ReadTimeout from send_command (netmiko does not notice the drop;
                         the partial output is lost with the exception)
* bad_kex             -> NetmikoTimeoutException wrapping paramiko's SSHException
                         "Incompatible ssh peer (no acceptable kex algorithm)"
* long_banner         -> login succeeds
"""

import socket
import time

import paramiko
import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout

ADMIN = [{"username": "admin", "password": "Adm1n!lab"}]


def _dev(name, fault=None, platform="cisco_ios"):
    spec = {"name": name, "platform": platform, "credentials": ADMIN, "enable_secret": "En4ble!lab"}
    if fault is not None:
        spec["fault"] = fault
    return spec


@pytest.fixture(name="lab", scope="module")
def lab_fixture():
    """One lab for the whole module (faults are per device, tests do not change them)."""
    from devicelab.lab import Lab  # pylint: disable=import-outside-toplevel

    lab = Lab([
        _dev("healthy"), _dev("closed", "closed"), _dev("blackhole", "blackhole"),
        _dev("slow", {"slow": 1.5}), _dev("truncate", "truncate"), _dev("badkex", "bad_kex"),
        _dev("banner", {"long_banner": {"size": 4000}}), _dev("banner-junos", "long_banner", "juniper_junos"),
    ]).start()
    yield lab
    lab.stop()


def test_wrong_password_raises_authentication_exception(lab):
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**lab.netmiko_params("healthy", password="not-it"))


def test_closed_refuses_the_connection(lab):
    dev = lab.device("closed")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((dev.address, dev.port), timeout=2)
    with pytest.raises(NetmikoTimeoutException) as info:
        ConnectHandler(**dev.netmiko(conn_timeout=2))
    assert "TCP connection to device failed" in str(info.value)


def test_blackhole_accepts_tcp_and_never_speaks(lab):
    dev = lab.device("blackhole")
    with socket.create_connection((dev.address, dev.port), timeout=2) as sock:
        sock.settimeout(0.5)
        with pytest.raises(socket.timeout):
            sock.recv(1)
    start = time.monotonic()
    with pytest.raises(NetmikoTimeoutException) as info:
        ConnectHandler(**dev.netmiko(conn_timeout=2, banner_timeout=1))
    assert 0.9 <= time.monotonic() - start < 10
    # paramiko reports the banner timeout; on a race it surfaces as "No existing session".
    assert "Error reading SSH protocol banner" in str(info.value) or "No existing session" in str(info.value)


def test_slow_device_times_out_a_short_read(lab):
    with ConnectHandler(**lab.netmiko_params("slow")) as conn:
        conn.enable()
        with pytest.raises(ReadTimeout):
            conn.send_command("show running-config", read_timeout=0.5)
    with ConnectHandler(**lab.netmiko_params("slow")) as conn:
        conn.enable()
        start = time.monotonic()
        out = conn.send_command("show running-config", read_timeout=10)
        assert time.monotonic() - start >= 1.5
        assert out.rstrip().endswith("end")


def test_truncate_drops_the_session_mid_config(lab):
    with ConnectHandler(**lab.netmiko_params("truncate")) as conn:
        conn.enable()
        with pytest.raises(ReadTimeout):
            conn.send_command("show running-config", read_timeout=2)
        assert not conn.is_alive()


def test_truncate_output_is_incomplete(lab):
    dev = lab.device("truncate")
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(dev.address, dev.port, "admin", "Adm1n!lab", look_for_keys=False, allow_agent=False)
    chan = client.invoke_shell()
    chan.send("enable\nEn4ble!lab\nterminal length 0\nshow running-config\n")
    data = b""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        chunk = chan.recv(65536)
        if not chunk:
            break
        data += chunk
    client.close()
    text = data.decode()
    assert "Building configuration..." in text
    assert "\nend" not in text


def test_bad_kex_is_an_ssh_negotiation_error(lab):
    with pytest.raises(NetmikoTimeoutException) as info:
        ConnectHandler(**lab.netmiko_params("badkex", conn_timeout=2))
    assert "no acceptable kex algorithm" in str(info.value)
    assert isinstance(info.value.__context__, paramiko.SSHException)
    assert lab.device("badkex").faults == ("bad_kex",)


def test_long_banner_login_succeeds(lab):
    with ConnectHandler(**lab.netmiko_params("banner")) as conn:
        conn.enable()
        out = conn.send_command("show running-config")
        banner = conn.remote_conn.transport.get_banner()
    assert out.rstrip().endswith("end")
    assert len(banner) >= 3500
    with ConnectHandler(**lab.netmiko_params("banner-junos")) as conn:
        out = conn.send_command("show configuration")
    assert out.count("{") == out.count("}") > 0


def test_faulty_devices_are_described_in_the_inventory(lab):
    faults = {dev["name"]: dev["faults"] for dev in lab.inventory()["devices"]}
    assert faults["healthy"] == {}
    assert faults["slow"] == {"slow": {"latency": 1.5}}
    assert faults["closed"] == {"closed": True}
