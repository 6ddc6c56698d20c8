"""Login records: every attempt counted, in memory and in the JSONL file, never the password."""

import json

import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException

from devicelab import records

CREDS = [{"username": "admin", "password": "Right-Pass-1"}]


def test_two_wrong_then_one_right_login(device_lab):
    lab = device_lab([
        {"name": "r1", "platform": "cisco_ios", "credentials": CREDS},
        {"name": "r2", "platform": "cisco_ios", "credentials": CREDS},
    ], record=True)
    for username, password in (("netops", "Wrong-Pass-1"), ("admin", "Wrong-Pass-2")):
        with pytest.raises(NetmikoAuthenticationException):
            ConnectHandler(**lab.netmiko_params("r1", username=username, password=password))
    with ConnectHandler(**lab.netmiko_params("r1")) as conn:
        assert conn.find_prompt() == "r1>"

    seen = [(rec.device, rec.username, rec.accepted) for rec in lab.login_attempts()]
    assert seen == [("r1", "netops", False), ("r1", "admin", False), ("r1", "admin", True)]
    assert len(lab.failed_logins("r1")) == 2
    assert len(lab.failed_logins("r1", username="admin")) == 1
    assert len(lab.accepted_logins("r1")) == 1
    assert lab.login_attempts("r2") == []
    assert all(rec.address == lab.address("r1") and rec.port == lab.port("r1") for rec in lab.login_attempts())

    from_file = records.read(lab.record_path)
    assert from_file == lab.login_attempts()
    assert len(records.read(lab.record_path, device="r1", accepted=False)) == 2
    with open(lab.record_path, encoding="utf-8") as handle:
        text = handle.read()
    for secret in ("Wrong-Pass-1", "Wrong-Pass-2", "Right-Pass-1"):
        assert secret not in text
    first = json.loads(text.splitlines()[0])
    assert {"ts", "device", "username", "accepted", "address", "port"} <= set(first)


def test_reader_tolerates_missing_file_and_torn_lines(tmp_path):
    path = tmp_path / "rec.jsonl"
    assert not records.read(path)
    recorder = records.Recorder(path, lab_id="t")
    recorder.record("d1", "127.0.0.1", 22, "admin", False)
    recorder.close()
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"event": "login", "device": "d1", "user')
    got = records.read(path)
    assert len(got) == 1 and got[0].device == "d1" and got[0].accepted is False


def test_clear_login_attempts_keeps_the_file(device_lab):
    lab = device_lab([{"name": "r1", "platform": "arista_eos", "credentials": CREDS}], record=True)
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**lab.netmiko_params("r1", password="nope"))
    lab.clear_login_attempts()
    assert not lab.login_attempts()
    assert len(records.read(lab.record_path)) == 1
