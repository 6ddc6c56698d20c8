"""`make demo` works: the demo driver (demo/run_demo.py, what the make target runs in the project
venv) builds and installs the collection, migrates its SQLite database, starts the device lab,
describes the estate, backs it up twice and stops the lab, on every exit.

The full run takes a minute or two: it is the README's first promise, so it runs in `make test`.
It uses the current venv and a temporary work directory instead of the checkout's .demo/.
"""

import importlib.util
import os
import re
import signal
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.lab, pytest.mark.slow]

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRIVER = os.path.join(REPO_ROOT, "demo", "run_demo.py")
DEMO_PASSWORDS = ("N3tops!demo", "Adm1n!demo", "B4ckup!demo")


def _load_driver():
    spec = importlib.util.spec_from_file_location("netraven_run_demo", DRIVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env(tmp_path):
    """A clean user environment: own HOME, no Ansible or NetRaven settings leaking in."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "NETRAVEN_"))}
    env["HOME"] = str(home)
    return env


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _labs_of(workdir):
    """Pids of device labs started for this work directory (by their command line)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                cmdline = handle.read().decode("utf-8", "replace")
        except OSError:
            continue
        if "devicelab" in cmdline and str(workdir) in cmdline:
            pids.append(int(entry))
    return pids


@pytest.mark.timeout(600)
def test_demo_backs_up_the_lab_twice(tmp_path):
    workdir = tmp_path / "demo"
    proc = subprocess.run([sys.executable, DRIVER, "--workdir", str(workdir)], cwd=str(tmp_path), env=_env(tmp_path),
                          capture_output=True, text=True, timeout=540, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    # Both runs end with the expected partial failure: 22 devices backed up, the unreachable,
    # the slow and the credential-less device not.
    for run in (1, 2):
        assert re.search(r"^run %d: job \d+ COMPLETED_PARTIAL_FAILURE: 25 devices, 22 succeeded, 3 failed;" % run,
                         output, re.M), output[-3000:]
        assert re.search(r"^run %d: devices: 25 targeted, 22 succeeded, 3 failed "
                         r"\(FAILED_TIMEOUT 1, FAILED_UNREACHABLE 1, NO_CREDENTIALS 1\)$" % run, output, re.M)
    # Run 1 falls through the chains: 3 devices need the second credential, 2 the third.
    assert "run 1: failed logins: 7" in output
    assert "run 1: configurations stored: 22 new, 0 unchanged" in output
    # Run 2 starts each device with the credential that worked: no failed login, nothing changed.
    assert "run 2: failed logins: 0" in output
    assert "run 2: configurations stored: 0 new, 22 unchanged" in output
    assert "HTML report of the last job: %s" % (workdir / "report.html") in output
    assert (workdir / "report.html").read_text(encoding="utf-8").count("par-core-r1") >= 1
    # The collection came from the build, installed where the demo points Ansible.
    assert (workdir / "collections/ansible_collections/netraven/netraven/MANIFEST.json").is_file()
    # The lab is gone, and no password was ever printed.
    assert not os.path.exists(workdir / "lab.pid")
    assert not _labs_of(workdir)
    for password in DEMO_PASSWORDS:
        assert password not in output


def test_demo_stops_a_lab_a_previous_demo_left_running(tmp_path):
    driver = _load_driver()
    workdir = str(tmp_path)
    left = driver.DeviceLab(workdir, sys.executable)
    left.write_spec(os.path.join(REPO_ROOT, "demo", "lab.yml"))
    left.start()
    pid = left.proc.pid
    try:
        # A new demo in the same work directory (the old one was killed without cleaning up).
        driver.DeviceLab(workdir, sys.executable).stop_previous()
        left.proc.wait(timeout=15)
        assert not _alive(pid)
        assert not os.path.exists(os.path.join(workdir, "lab.pid"))
    finally:
        left.stop()


def test_demo_stops_its_lab_when_interrupted(tmp_path):
    """SIGTERM (or Ctrl-C) in the middle of the demo: exit status 130, and no lab left behind."""
    workdir = tmp_path / "demo"
    command = [sys.executable, DRIVER, "--workdir", str(workdir),
               "--collections-path", os.environ["NETRAVEN_TEST_COLLECTIONS_PATH"]]
    log_path = tmp_path / "demo.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, cwd=str(tmp_path), env=_env(tmp_path), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "LAB READY" not in log_path.read_text(encoding="utf-8"):
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text(encoding="utf-8")
            time.sleep(0.2)
        lab_pids = _labs_of(workdir)
        assert len(lab_pids) == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = log_path.read_text(encoding="utf-8")
    assert "demo interrupted" in output and "Device lab stopped." in output
    assert not _alive(lab_pids[0])
    assert not _labs_of(workdir)
