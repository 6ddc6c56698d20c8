"""Text a device controls keeps the device's record whole, on SQLite and PostgreSQL (PostgreSQL refuses a NUL).

A peer's SSH greeting quoted in paramiko's error, and configuration output, can hold a NUL
and control characters; PostgreSQL refuses a NUL in text and jsonb, which used to fail the
device's final transaction and lose its record. The real DeviceBackup and DeviceSession run;
only netmiko's ConnectHandler is replaced (by a failure quoting peer text, or by a channel
that serves the device's output in chunks), so the bytes are exactly what the test says.
"""

import pytest
import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._backup import _command_read, _session
from ansible_collections.netraven.netraven.plugins.module_utils._backup._device_backup import BackupOptions, DeviceBackup
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._lifecycle import start_job
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import ConnectionLog, DeviceConfiguration, JobLog, JobResult

from ansible_collections.netraven.netraven.tests.shared.fake_netmiko import FakeNetmikoConnection

from _jobs_support import seed  # pylint: disable=import-error

paramiko = pytest.importorskip("paramiko")

PEER_TEXT = "x\x00\x1b]0;owned\x07\x1b[31mred\x7f\x9b2J"
CONFIG = ("Building configuration...\r\n\r\nhostname r2\r\n!\r\nbanner motd ^C\r\nr2#", "\r\n^C\r\n",
          "interface Gi0/1\r\n description peer\x00text\x1b[0m\r\n", "".join(
              " ip address 10.0.%d.1 255.255.255.0\r\n" % n for n in range(40)), "!\r\nend\r\n")
# A logged-in session to r2: each command is echoed, its output served in these chunks, then the prompt.
REPLIES = {"show running-config view full": CONFIG, "show version": ("Cisco IOS Software, Version 15.2\r\n",)}


def connect(device_type, host, **kwargs):
    """r1 answers with a bad SSH greeting (paramiko quotes its version field); r2 logs in."""
    del device_type
    if host == "192.0.2.1":
        raise paramiko.ssh_exception.IncompatiblePeer("Incompatible version (%s instead of 2.0)" % PEER_TEXT)
    return FakeNetmikoConnection(base_prompt="r2", replies=REPLIES, **kwargs)


@pytest.fixture
def estate(db_url, encryption_key, monkeypatch):
    devices, creds = seed(db_url, encryption_key,
                          [{"hostname": "r%d" % n, "ip_address": "192.0.2.%d" % n, "port": 22, "tags": ["core"]}
                           for n in (1, 2)],
                          [{"name": "ops", "username": "ops", "password": "Ops-Password-1", "tags": ["core"]}])
    monkeypatch.setattr(_session, "ConnectHandler", connect)
    monkeypatch.setattr(_command_read, "PROMPT_QUIET_SECONDS", 0.05)
    engine = create_db_engine(db_url)
    yield engine, devices, creds
    engine.dispose()


def records(engine, job_id, device_id):
    with session_scope(engine) as session:
        def texts(*columns, where=()):
            return [value for row in session.execute(sa.select(*columns).where(*where)) for value in row]
        return {
            "connection": texts(ConnectionLog.error_message,
                                where=(ConnectionLog.job_id == job_id, ConnectionLog.device_id == device_id)),
            "logs": texts(JobLog.message, where=(JobLog.job_id == job_id, JobLog.device_id == device_id)),
            "result": session.execute(sa.select(JobResult.status, JobResult.details).where(
                JobResult.job_id == job_id, JobResult.device_id == device_id)).one(),
            "configs": texts(DeviceConfiguration.config_data, where=(DeviceConfiguration.device_id == device_id,)),
        }


def test_a_nul_from_the_device_keeps_its_record(estate):
    engine, devices, creds = estate
    job_id = start_job(engine, lambda: secret_box_for(engine), tags=["core"])["job_id"]
    backup = DeviceBackup(engine, secret_box_for(engine), BackupOptions(connect_timeout=2, command_timeout=5))

    failed = backup.run(devices["r1"], [creds["ops"]], job_id)
    assert failed.status == "FAILED_SSH", failed.result()
    got = records(engine, job_id, devices["r1"])
    [message] = got["connection"]
    assert "Incompatible version (x]0;owned[31mred2J instead of 2.0)" in message, message
    assert got["result"].status == failed.status and got["result"].details["error_message"] == message
    assert all("\x00" not in text and "\x1b" not in text for text in got["logs"] + [failed.result()["msg"]])

    stored = backup.run(devices["r2"], [creds["ops"]], job_id)
    assert stored.status == "SUCCESS", stored.result()
    [config] = records(engine, job_id, devices["r2"])["configs"]
    assert "\x00" not in config and "\x1b" not in config
    assert " description peertext[0m" in config
    # The banner's 'r2#' line ended a network read; the read went on to the real prompt.
    assert "banner motd ^C\nr2#\n^C\ninterface Gi0/1" in config and config.rstrip().endswith("end")
    assert config.count(" ip address 10.0.") == 40
