"""The CLI (python -m devicelab) and LabProcess: ready line, inventory, records, reload, clean stop."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException

import devicelab

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(devicelab.__file__)))


def _start_cli(*args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [REPO_ROOT, os.environ.get("PYTHONPATH")])))
    return subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, "-m", "devicelab", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, text=True, env=env,
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_generated_lab_ready_line_inventory_and_clean_stop(tmp_path, stop_signal):
    inventory, record = tmp_path / "inv.json", tmp_path / "rec.jsonl"
    proc = _start_cli("--devices", "4", "--inventory-out", str(inventory), "--record", str(record),
                      "--faults", "closed=1")
    try:
        ready = proc.stdout.readline().strip()
        assert ready.startswith("LAB READY devices=4 ")
        assert f"inventory={inventory}" in ready and f"record={record}" in ready
        doc = json.loads(inventory.read_text())
        devices = doc["devices"]
        assert [d["platform"] for d in devices] == ["cisco_ios", "arista_eos", "juniper_junos", "cisco_ios"]
        assert len({d["address"] for d in devices}) == 4
        assert devices[-1]["faults"] == {"closed": True}
        first = devices[0]
        cred = first["credentials"][0]
        with ConnectHandler(device_type=first["platform"], host=first["address"], port=first["port"],
                            username=cred["username"], password=cred["password"], secret=first["enable_secret"]) as conn:
            conn.enable()
            assert conn.send_command("show running-config").rstrip().endswith("end")
        assert devicelab.records.read(record, device=first["name"], accepted=True)
    finally:
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out.strip() == "", "only the ready line goes to stdout"


def test_cli_rejects_a_bad_spec(tmp_path):
    spec = tmp_path / "bad.yml"
    spec.write_text("devices:\n  - name: r1\n    platform: cisco_ios\n    fault: on_fire\n")
    proc = _start_cli("--spec", str(spec))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert out == "" and "on_fire" in err


def test_lab_process_query_api_matches_lab(device_lab_process):
    lab = device_lab_process([
        {"name": "r1", "platform": "cisco_ios", "credentials": [{"username": "admin", "password": "pw1"}],
         "enable_secret": "en1"},
        {"name": "j1", "platform": "juniper_junos", "credentials": [{"username": "admin", "password": "pw1"}],
         "fault": {"long_banner": {"size": 2500}}},
    ])
    assert lab.address("r1") != lab.address("j1")
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**lab.netmiko_params("r1", password="wrong"))
    with ConnectHandler(**lab.netmiko_params("j1")) as conn:
        assert conn.send_command("show configuration").count("{") > 5
    assert [(r.device, r.accepted) for r in lab.login_attempts()] == [("r1", False), ("j1", True)]
    assert len(lab.failed_logins("r1")) == 1

    lab.set_config("r1", extra_lines=["interface Loopback42", " description from the test"])
    with ConnectHandler(**lab.netmiko_params("r1")) as conn:
        conn.enable()
        assert " description from the test" in conn.send_command("show running-config")
    with pytest.raises(ValueError):
        lab.set_config("j1", extra_lines=["system {"])
    lab.set_config("j1", extra_lines=["snmp { contact \"noc\"; }"])
    lab.reset_config("r1")
    with ConnectHandler(**lab.netmiko_params("r1")) as conn:
        conn.enable()
        assert "Loopback42" not in conn.send_command("show running-config")
    assert lab.rss and lab.rss > 1_000_000
    assert lab.stop() == 0


def test_spec_file_edit_and_sighup_reload(tmp_path):
    spec = tmp_path / "lab.yml"
    spec.write_text(
        "defaults:\n  credentials: [{username: admin, password: pw}]\n  enable_secret: en\n"
        "devices:\n  - {name: r1, platform: cisco_ios}\n  - {name: s1, platform: eos}\n"
    )
    lab = devicelab.LabProcess(spec=str(spec), workdir=tmp_path / "work").start()
    try:
        spec.write_text(
            "defaults:\n  credentials: [{username: admin, password: pw2}]\n  enable_secret: en\n"
            "devices:\n  - {name: r1, platform: cisco_ios, extra_config: ['snmp-server community changed RO']}\n"
            "  - {name: s1, platform: eos}\n"
        )
        lab.reload()
        with pytest.raises(NetmikoAuthenticationException):
            ConnectHandler(**lab.netmiko_params("r1"))
        with ConnectHandler(**lab.netmiko_params("r1", password="pw2")) as conn:
            conn.enable()
            assert "snmp-server community changed RO" in conn.send_command("show running-config")
    finally:
        assert lab.stop() == 0


def test_lab_process_does_not_outlive_its_parent(tmp_path):
    script = (
        "import sys, time; from devicelab import LabProcess; "
        f"lab = LabProcess(devices=1, workdir={str(tmp_path / 'w')!r}).start(); "
        "print(lab.pid, flush=True); time.sleep(60)"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [REPO_ROOT, os.environ.get("PYTHONPATH")])))
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)  # pylint: disable=consider-using-with
    try:
        child = int(parent.stdout.readline())
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.1)
    assert not _alive(child)


def _alive(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            return "\nState:\tZ" not in handle.read()
    except FileNotFoundError:
        return False
