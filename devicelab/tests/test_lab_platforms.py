"""Plain netmiko against each simulated platform: prompts, enable, full configs, CLI errors."""

import re
import time

import paramiko
import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import ReadTimeout

ADMIN = [{"username": "admin", "password": "Adm1n!lab"}]
SPECS = [
    {"name": "ios-r1", "platform": "cisco_ios", "credentials": ADMIN, "enable_secret": "En4ble!lab"},
    {"name": "eos-s1", "platform": "arista_eos", "credentials": ADMIN, "enable_secret": "En4ble!lab"},
    {"name": "junos-j1", "platform": "juniper_junos", "credentials": ADMIN},
]
VOLATILE = re.compile(r"^(! Last configuration change at |ntp clock-period |Current configuration : |## Last commit: )")


@pytest.fixture(name="lab")
def lab_fixture(device_lab):
    """One lab with one device per platform."""
    return device_lab(SPECS)


def _stable(text):
    return [line for line in text.splitlines() if not VOLATILE.match(line)]


def _fetch(lab, name, command="show running-config"):
    with ConnectHandler(**lab.netmiko_params(name)) as conn:
        if name != "junos-j1":
            conn.enable()
        return conn.send_command(command)


@pytest.mark.parametrize("name", ["ios-r1", "eos-s1"])
def test_cisco_style_enable_and_full_running_config(lab, name):
    with ConnectHandler(**lab.netmiko_params(name)) as conn:
        assert conn.find_prompt() == f"{name}>"
        conn.enable()
        assert conn.find_prompt() == f"{name}#"
        out = conn.send_command("show running-config")
    lines = out.rstrip().splitlines()
    assert lines[-1] == "end"
    assert f"hostname {name}" in lines
    assert re.search(r"^! Last configuration change at \d\d:\d\d:\d\d UTC ", out, re.M)
    assert re.search(r"^ntp clock-period \d+$", out, re.M)
    assert re.search(r"^username admin privilege 15 .*secret ", out, re.M)
    assert re.search(r"^snmp-server community \S+ (RO|ro)$", out, re.M)
    assert "Adm1n!lab" not in out and "En4ble!lab" not in out


def test_ios_config_has_the_classic_lines(lab):
    out = _fetch(lab, "ios-r1")
    assert out.startswith("Building configuration...")
    assert re.search(r"^enable secret 5 \$1\$\S+$", out, re.M)
    assert re.search(r"^username admin privilege 15 secret 5 \$1\$\S+$", out, re.M)
    assert "snmp-server community netraven-ro RO" in out


def test_ios_user_mode_cannot_read_the_running_config(lab):
    with ConnectHandler(**lab.netmiko_params("ios-r1")) as conn:
        out = conn.send_command("show running-config")
    assert "% Invalid input detected at '^' marker." in out
    assert "hostname" not in out


@pytest.mark.parametrize("name", ["ios-r1", "eos-s1"])
def test_wrong_enable_secret_fails_like_a_real_device(lab, name):
    # IOS re-prompts "Password:" and EOS says "% Access denied": either way netmiko
    # waits for the enable prompt in vain (read_timeout_override keeps the test short).
    with ConnectHandler(**lab.netmiko_params(name, secret="wrong"), read_timeout_override=1) as conn:
        with pytest.raises(ReadTimeout):
            conn.enable()


def test_junos_full_configuration_braces_balance(lab):
    with ConnectHandler(**lab.netmiko_params("junos-j1")) as conn:
        assert conn.find_prompt() == "admin@junos-j1>"
        out = conn.send_command("show configuration")
        as_set = conn.send_command("show configuration | display set")
    assert out.startswith("## Last commit: ")
    assert out.count("{") == out.count("}") > 10
    depth = 0
    for char in out:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert "host-name junos-j1;" in out
    assert out.rstrip().endswith("}")
    set_lines = as_set.strip().splitlines()
    assert set_lines[0] == "set version 20.4R3.8"
    assert all(line.startswith("set ") for line in set_lines)
    assert "set system host-name junos-j1" in set_lines


@pytest.mark.parametrize("name,command", [
    ("ios-r1", "show running-config"), ("eos-s1", "show running-config"), ("junos-j1", "show configuration"),
])
def test_volatile_lines_change_on_every_fetch(lab, name, command):
    with ConnectHandler(**lab.netmiko_params(name)) as conn:
        if name != "junos-j1":
            conn.enable()
        first = conn.send_command(command)
        second = conn.send_command(command)
    assert first != second
    assert _stable(first) == _stable(second)


def test_set_config_changes_the_next_fetch(lab):
    before = _fetch(lab, "ios-r1")
    lab.set_config("ios-r1", extra_lines=["interface Loopback99", " description changed by test"])
    after = _fetch(lab, "ios-r1")
    assert "interface Loopback99" not in before
    assert " description changed by test" in after
    assert after.rstrip().endswith("end")
    lab.set_config("ios-r1", text="hostname replaced\n!\nend\n")
    replaced = _stable(_fetch(lab, "ios-r1"))
    assert "hostname replaced" in replaced and "hostname ios-r1" not in replaced


def test_junos_set_config_keeps_braces_balanced(lab):
    lab.set_config("junos-j1", extra_lines=["snmp {", "    contact \"noc\";", "}"])
    out = _fetch(lab, "junos-j1", "show configuration")
    assert 'contact "noc";' in out and out.count("{") == out.count("}")
    with pytest.raises(ValueError):
        lab.set_config("junos-j1", extra_lines=["system {"])


def test_netmiko_config_mode_changes_the_config(lab):
    with ConnectHandler(**lab.netmiko_params("ios-r1")) as conn:
        conn.enable()
        conn.send_config_set(["interface Loopback7", "description via cli"])
        assert not conn.check_config_mode()
    assert "interface Loopback7\n description via cli" in lab.config("ios-r1")


@pytest.mark.parametrize("name,command,expected", [
    ("ios-r1", "show bogus", "% Invalid input detected at '^' marker."),
    ("ios-r1", "show", "% Incomplete command."),
    ("eos-s1", "show bogus", "% Invalid input (at token 1: 'bogus')"),
    ("eos-s1", "show running-config", "% Invalid input (privileged mode required)"),
    ("junos-j1", "show bogus", "syntax error, expecting <command>."),
    ("junos-j1", "bogus now", "unknown command."),
])
def test_unknown_commands_answer_like_the_cli(lab, name, command, expected):
    with ConnectHandler(**lab.netmiko_params(name)) as conn:
        out = conn.send_command(command)
    assert expected in out


def test_ios_caret_points_at_the_bad_word(lab):
    with ConnectHandler(**lab.netmiko_params("ios-r1")) as conn:
        out = conn.send_command("show bogus", strip_prompt=False, strip_command=False)
    lines = out.splitlines()
    caret = next(line for line in lines if line.strip() == "^")
    assert caret.index("^") == len("ios-r1>show ")


def test_abbreviations_and_pipes(lab):
    with ConnectHandler(**lab.netmiko_params("ios-r1")) as conn:
        conn.enable()
        out = conn.send_command("sh run | i ^hostname")
    assert out.strip() == "hostname ios-r1"


def test_output_is_paged_until_paging_is_disabled(lab):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    dev = lab.device("eos-s1")
    client.connect(dev.address, dev.port, "admin", "Adm1n!lab", look_for_keys=False, allow_agent=False)
    try:
        chan = client.invoke_shell(width=200, height=24)
        chan.send("enable\nEn4ble!lab\nshow running-config\n")
        data = b""
        deadline = time.monotonic() + 5
        while b"--More--" not in data and time.monotonic() < deadline:
            if chan.recv_ready():
                data += chan.recv(65536)
            else:
                time.sleep(0.01)
        assert b" --More-- " in data
        assert b"\nend" not in data
        chan.send("q")
        chan.send("terminal length 0\nshow running-config\n")
        deadline = time.monotonic() + 5
        data = b""
        while b"\r\nend\r\n" not in data and time.monotonic() < deadline:
            if chan.recv_ready():
                data += chan.recv(65536)
            else:
                time.sleep(0.01)
        assert b"Pagination disabled." in data and b"\r\nend\r\n" in data
        assert data.count(b"--More--") == 0
    finally:
        client.close()


def test_exec_channel_runs_one_command(lab):
    dev = lab.device("ios-r1")
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(dev.address, dev.port, "admin", "Adm1n!lab", look_for_keys=False, allow_agent=False)
    try:
        dummy_stdin, stdout, dummy_stderr = client.exec_command("show version", timeout=5)
        assert "Cisco IOS Software" in stdout.read().decode()
        assert stdout.channel.recv_exit_status() == 0
    finally:
        client.close()


def test_every_device_shares_the_lab_host_key(lab):
    keys = set()
    for name in ("ios-r1", "eos-s1", "junos-j1"):
        dev = lab.device(name)
        transport = paramiko.Transport((dev.address, dev.port))
        try:
            transport.start_client(timeout=5)
            keys.add(transport.get_remote_server_key().get_base64())
        finally:
            transport.close()
    assert len(keys) == 1
