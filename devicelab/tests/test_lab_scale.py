"""500 devices in one process start, every one answers, and 20 netmiko sessions are held at once.

Timing and memory figures are measured by benchmarks/lab_scale.py, not asserted
here (timing asserts are flaky on shared CI machines).
"""

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

from netmiko import ConnectHandler


def _ssh_banner(address, port):
    with socket.create_connection((address, port), timeout=5) as sock:
        sock.settimeout(5)
        return sock.recv(64)


def _fetch(dev, barrier=None, lab=None, seen=None):
    with ConnectHandler(**dev.netmiko()) as conn:
        if dev.platform != "juniper_junos":
            conn.enable()
        if barrier is not None:
            barrier.wait(timeout=60)
            seen.append(lab.sessions())
            barrier.wait(timeout=60)
        if dev.platform == "juniper_junos":
            out = conn.send_command("show configuration")
            return out.count("{") == out.count("}") > 0
        return conn.send_command("show running-config").rstrip().endswith("end")


def test_500_devices_start_answer_and_hold_20_sessions(device_lab):
    lab = device_lab(devices=500)
    devices = list(lab.devices.values())
    assert len(devices) == 500
    assert len({d.address for d in devices}) == 500
    for dev in devices:
        assert _ssh_banner(dev.address, dev.port).startswith(b"SSH-2.0-")
    assert all(_fetch(dev) for dev in (devices[0], devices[250], devices[-1]))

    batch = devices[100:120]
    barrier, seen = threading.Barrier(len(batch)), []
    with ThreadPoolExecutor(max_workers=len(batch)) as pool:
        results = list(pool.map(lambda d: _fetch(d, barrier, lab, seen), batch))
    assert all(results)
    assert max(seen) == 20
