"""The HTML job report opens in headless Chromium: screenshot, and the DOM proves no injection ran.

The report is built from a real database whose device hostnames and error messages carry
HTML and script. Chromium (Debian package ``chromium``) is installed when missing and the
test runs as root (CI); elsewhere the test skips, and under CI a missing browser fails.
"""

import os
import shutil
import struct
import subprocess

import pytest
import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._jobs import _lifecycle
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._report import write_report
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, JobResult
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import utcnow

from _jobs_support import CREDENTIALS, seed  # pylint: disable=import-error

pytestmark = pytest.mark.slow

APT_PACKAGE = "chromium"
EVIL_HOST = "<script>document.title='pwned'</script>"
EVIL_ERROR = "Banner was <img src=x onerror=\"document.title='pwned'\">"
# Where a copy of the screenshot goes for a human to look at (optional).
SCREENSHOT_COPY_ENV = "NETRAVEN_REPORT_SCREENSHOT"


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def chromium():
    """Path of a Chromium binary, installing Debian's package when missing and root."""
    path = find_chromium()
    if path is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", APT_PACKAGE]
        if subprocess.run(install, env=env, capture_output=True, stdin=subprocess.DEVNULL, check=False).returncode:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, stdin=subprocess.DEVNULL, check=False)
            subprocess.run(install, env=env, capture_output=True, stdin=subprocess.DEVNULL, check=False)
        path = find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed and could not be installed (apt package '%s')" % APT_PACKAGE)
        pytest.skip("chromium is not installed and could not be installed (apt package '%s')" % APT_PACKAGE)
    return path


def headless(chromium_path, tmp_path, *arguments):
    profile = tmp_path / "chromium-profile"
    command = [chromium_path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--user-data-dir=%s" % profile] + list(arguments)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)


def png_size(path):
    with open(path, "rb") as stream:
        head = stream.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.fixture
def report(db_url, encryption_key, tmp_path):
    """A finished partial-failure job with hostile strings, rendered to an HTML file."""
    seed(db_url, encryption_key, [
        {"hostname": "core-sw1", "ip_address": "192.0.2.1", "port": 22, "tags": ["core"]},
        {"hostname": "edge-rtr2", "ip_address": "192.0.2.2", "port": 22, "tags": ["core"]},
        {"hostname": EVIL_HOST, "ip_address": "192.0.2.3", "port": 22, "tags": ["core"]},
        {"hostname": "lab-fw4", "ip_address": "192.0.2.4", "port": 22, "tags": ["island"]},
    ], CREDENTIALS)
    engine = create_db_engine(db_url)
    try:
        job_id = _lifecycle.start_job(engine, lambda: secret_box_for(engine), name="nightly <b>backup</b>", tags=["core", "island"])["job_id"]
        outcomes = {
            "core-sw1": ("SUCCESS", {"credential_id": 2, "credential_username": "netops", "retry_count": 1,
                                     "attempts": 2, "changed": True}),
            "edge-rtr2": ("SUCCESS", {"credential_id": 3, "credential_username": "admin", "retry_count": 0,
                                      "attempts": 1, "changed": False}),
            EVIL_HOST: ("FAILED_SSH", {"credential_id": 1, "credential_username": "retired", "retry_count": 0,
                                       "attempts": 1, "error_type": "SSH", "error_message": EVIL_ERROR}),
        }
        with session_scope(engine) as session:
            for hostname, (status, details) in outcomes.items():
                device_id = session.execute(sa.select(Device.id).where(Device.hostname == hostname)).scalar_one()
                session.execute(sa.update(JobResult).where(JobResult.job_id == job_id, JobResult.device_id == device_id)
                                .values(status=status, details=details, result_time=utcnow()))
        result = _lifecycle.finish_job(engine, job_id)
    finally:
        engine.dispose()
    assert result["status"] == "COMPLETED_PARTIAL_FAILURE"
    return write_report(str(tmp_path / "job.html"), result["summary"])


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_report_renders_in_headless_chromium(chromium, report, tmp_path):
    screenshot = tmp_path / "report.png"
    run = headless(chromium, tmp_path, "--screenshot=%s" % screenshot, "--window-size=1200,900", "file://" + report)
    assert run.returncode == 0 and screenshot.exists(), run.stderr[-2000:]
    assert png_size(str(screenshot)) == (1200, 900)
    assert screenshot.stat().st_size > 30000, "a rendered page, not a blank one"
    if os.environ.get(SCREENSHOT_COPY_ENV):
        shutil.copyfile(str(screenshot), os.environ[SCREENSHOT_COPY_ENV])

    dom = headless(chromium, tmp_path, "--dump-dom", "file://" + report)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<title>NetRaven job" in dom.stdout and "pwned</title>" not in dom.stdout, "no injected script ran"
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom.stdout
    assert "<img" not in dom.stdout and "<script" not in dom.stdout
    assert "Completed with failures" in dom.stdout and "No credentials found" not in dom.stdout
