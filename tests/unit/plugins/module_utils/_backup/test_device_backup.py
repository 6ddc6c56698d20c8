# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The attempt loop of one device, driven through the real DeviceSession and a fake netmiko connection on a real SQLite database.

The integration tests prove the same end to end through SSH and PostgreSQL; these pin
the loop's decisions (fallback, stop, lockout guard, max_attempts, check mode, internal
errors) and the transaction count of the happy path, in milliseconds.
"""

from __future__ import annotations

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("netmiko")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._backup import _device_backup  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._backup import _outcome  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._backup import _session  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._backup import _command_read  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session import AttemptError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import JobClosedError  # noqa: E402
from ansible_collections.netraven.netraven.tests.shared.fake_netmiko import FakeNetmikoConnection  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (  # noqa: E402
    ConnectionLog,
    Credential,
    Device,
    DeviceConfiguration,
    Job,
    JobCredentialAttempt,
    JobLog,
    JobResult,
)

CONFIG = "hostname r1\n" + "".join("interface Gi0/%d\n no shutdown\n!\n" % n for n in range(8)) + "end\n"
GOOD = "good-password-1"


# netmiko's ConnectHandler for every device of these tests: accepts GOOD, rejects any other password.
# What the device answers to each command (echoed, then the reply, then the prompt).
REPLIES = {"show running-config view full": (CONFIG,)}
connect = FakeNetmikoConnection.connect_handler(password=GOOD, replies=REPLIES)


@pytest.fixture
def lab(sqlite_engine, unit_key, monkeypatch):
    """Credentials bad1, bad2 (rejected) and good; devices r1..r3; a RUNNING job. Returns a namespace."""
    connect.logins[:], connect.failure, connect.before_login = [], None, None
    monkeypatch.setattr(_session, "ConnectHandler", connect)
    monkeypatch.setattr(_command_read, "PROMPT_QUIET_SECONDS", 0.01)
    box = secret_box_for(sqlite_engine, unit_key)
    with session_scope(sqlite_engine) as session:
        creds = {name: Credential(name=name, username=name, password=box.encrypt(GOOD if name == "good" else "nope"))
                 for name in ("bad1", "bad2", "good")}
        devices = [Device(hostname="r%d" % n, ip_address="192.0.2.%d" % n, device_type="cisco_ios") for n in (1, 2, 3)]
        job = Job(name="unit", job_type="backup", status="RUNNING")
        session.add_all([*creds.values(), *devices, job])
        session.flush()
        ids = {name: cred.id for name, cred in creds.items()}
        device_ids = [device.id for device in devices]
        job_id = job.id

    class Lab:
        engine, cred, devices, job = sqlite_engine, ids, device_ids, job_id

        @staticmethod
        def run(device, chain, job=job_id, **options):
            return _device_backup.DeviceBackup(sqlite_engine, box, _device_backup.BackupOptions(**options)).run(device, chain, job)

    return Lab


def rows(engine, model):
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(sa.select(model.__table__))]


def count_transactions(monkeypatch):
    calls = []
    real = _device_backup.run_transaction

    def counting(engine, work):
        calls.append(work)
        return real(engine, work)

    monkeypatch.setattr(_device_backup, "run_transaction", counting)
    return calls


def test_happy_path_takes_two_transactions(lab, monkeypatch):
    calls = count_transactions(monkeypatch)
    outcome = lab.run(lab.devices[0], [lab.cred["good"]])
    assert outcome.status == "SUCCESS" and outcome.changed and outcome.config_id is not None
    assert len(calls) == 2
    assert rows(lab.engine, JobCredentialAttempt) == []  # the accepted attempt's claim is released
    [result] = rows(lab.engine, JobResult)
    assert result["status"] == "SUCCESS" and result["details"]["config_id"] == outcome.config_id


def test_fallback_after_a_rejection(lab):
    outcome = lab.run(lab.devices[0], [lab.cred["bad1"], lab.cred["good"]])
    result = outcome.result()
    assert result["status"] == "SUCCESS" and result["retry_count"] == 1
    assert [a["outcome"] for a in result["attempts"]] == ["failed", "accepted"]
    assert result["attempts"][0]["error_type"] == "AUTH"
    assert all("claimed" not in a and "recorded" not in a for a in result["attempts"])
    [log] = rows(lab.engine, ConnectionLog)
    assert log["credential_id"] == lab.cred["good"] and log["retry_count"] == 1
    assert [(c["credential_id"], c["outcome"]) for c in rows(lab.engine, JobCredentialAttempt)] == [
        (lab.cred["bad1"], "rejected")]
    by_id = {c["id"]: c for c in rows(lab.engine, Credential)}
    assert (by_id[lab.cred["bad1"]]["failure_count"], by_id[lab.cred["good"]]["success_count"]) == (1, 1)


def test_a_non_auth_failure_stops_the_chain(lab):
    connect.failure = AttemptError("UNREACHABLE", "No route to host")
    outcome = lab.run(lab.devices[0], [lab.cred["bad1"], lab.cred["good"]])
    assert outcome.status == "FAILED_UNREACHABLE" and outcome.error_type == "UNREACHABLE"
    assert connect.logins == ["bad1"] and len(outcome.attempts) == 1
    assert rows(lab.engine, JobCredentialAttempt) == []
    assert all(c["failure_count"] == 0 for c in rows(lab.engine, Credential))  # not a login's real outcome


def test_lockout_guard_skips_a_credential_rejected_on_enough_devices(lab):
    first = lab.run(lab.devices[0], [lab.cred["bad1"]], lockout_threshold=1)
    assert first.status == "FAILED_AUTH"
    second = lab.run(lab.devices[1], [lab.cred["bad1"], lab.cred["good"]], lockout_threshold=1)
    assert second.status == "SUCCESS" and [a.credential_id for a in second.attempts] == [lab.cred["good"]]
    assert [s.result() for s in second.skipped] == [{"credential_id": lab.cred["bad1"], "reason": "lockout guard"}]
    third = lab.run(lab.devices[2], [lab.cred["bad1"]], lockout_threshold=1)
    assert (third.status, third.error_type, third.attempts) == ("FAILED_AUTH", "LOCKOUT_GUARD", ())
    assert connect.logins == ["bad1", "good"]
    # Both later devices skipped bad1 from their context, without a claim: the job still warns, once.
    warnings = [log["message"] for log in rows(lab.engine, JobLog) if log["level"] == "WARNING" and log["device_id"] is None]
    assert len([w for w in warnings if w.startswith("Lockout guard: credential 'bad1'")]) == 1


def test_max_attempts_caps_the_chain(lab):
    outcome = lab.run(lab.devices[0], [lab.cred["bad1"], lab.cred["bad2"], lab.cred["good"]], max_attempts=2)
    assert outcome.status == "FAILED_AUTH" and connect.logins == ["bad1", "bad2"]
    assert outcome.result()["failed"] is True


def test_check_mode_writes_nothing(lab, db_snapshot):
    before = db_snapshot(lab.engine)
    outcome = lab.run(lab.devices[0], [lab.cred["bad1"], lab.cred["good"]], check_mode=True)
    assert outcome.status == "SUCCESS" and outcome.changed and outcome.config_id is None
    assert db_snapshot(lab.engine) == before


def test_empty_and_deleted_chains_are_no_credentials(lab):
    assert lab.run(lab.devices[0], []).status == "NO_CREDENTIALS"
    deleted = lab.run(lab.devices[1], [999999])
    assert deleted.status == "NO_CREDENTIALS" and deleted.error_message == _outcome.ALL_DELETED_MESSAGE


def test_an_internal_error_before_the_first_login_releases_the_claim(lab, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret: %s" % GOOD)

    monkeypatch.setattr(_device_backup, "DeviceSession", broken)
    outcome = lab.run(lab.devices[0], [lab.cred["good"]])
    assert outcome.status == "FAILED_UNEXPECTED" and GOOD not in repr(outcome.result())
    assert rows(lab.engine, JobCredentialAttempt) == []
    [result] = rows(lab.engine, JobResult)
    assert result["status"] == "FAILED_UNEXPECTED"


def close_job(engine, job_id, status="FAILED_UNEXPECTED"):
    with session_scope(engine) as session:
        session.execute(sa.update(Job).where(Job.id == job_id).values(status=status))


@pytest.fixture
def job_closes_during_the_login(lab, monkeypatch):
    """Every login first closes the job (as the stale-job rule would), then runs as usual."""
    monkeypatch.setattr(connect, "before_login", lambda: close_job(lab.engine, lab.job))


@pytest.mark.usefixtures("job_closes_during_the_login")
def test_a_job_closed_during_the_login_gets_nothing_of_the_device(lab, monkeypatch):
    """The job closes (stale-job rule) while the device is logged into: the final transaction writes nothing."""
    calls = count_transactions(monkeypatch)
    with pytest.raises(JobClosedError, match=r"^Job %d is closed \(FAILED_UNEXPECTED\): nothing of device 'r1' \(id \d+\) was recorded$" % lab.job):
        lab.run(lab.devices[0], [lab.cred["good"]])
    assert len(calls) == 2  # the check is part of the final transaction, not one more
    for model in (ConnectionLog, DeviceConfiguration, JobResult, JobLog):
        assert rows(lab.engine, model) == [], model
    assert all(c["success_count"] == 0 and c["failure_count"] == 0 for c in rows(lab.engine, Credential))
    assert [d["last_seen"] for d in rows(lab.engine, Device)] == [None, None, None]


@pytest.mark.usefixtures("job_closes_during_the_login")
def test_a_rejection_after_the_job_closed_ends_the_chain_with_nothing_written(lab):
    with pytest.raises(JobClosedError, match=r"^Job %d is closed \(FAILED_UNEXPECTED\)" % lab.job):
        lab.run(lab.devices[0], [lab.cred["bad1"], lab.cred["good"]])
    assert connect.logins == ["bad1"]  # the chain stops: the good credential is not tried
    assert rows(lab.engine, JobLog) == [] and rows(lab.engine, ConnectionLog) == []
    assert [c["outcome"] for c in rows(lab.engine, JobCredentialAttempt)] == ["claimed"]  # not marked rejected
    assert all(c["failure_count"] == 0 for c in rows(lab.engine, Credential))


def test_a_closed_job_is_not_even_logged_into(lab):
    close_job(lab.engine, lab.job, status="COMPLETED_SUCCESS")
    with pytest.raises(JobClosedError, match=r"^Job %d is closed \(COMPLETED_SUCCESS\)" % lab.job):
        lab.run(lab.devices[0], [lab.cred["good"]])
    assert connect.logins == [] and rows(lab.engine, JobCredentialAttempt) == []


def test_a_device_with_its_result_written_is_not_backed_up_again_in_the_job(lab):
    assert lab.run(lab.devices[0], [lab.cred["good"]]).status == "SUCCESS"
    with pytest.raises(JobClosedError, match=r"^Device id %d already has its result in job %d \(SUCCESS\)" % (
            lab.devices[0], lab.job)):
        lab.run(lab.devices[0], [lab.cred["good"]])
    assert connect.logins == ["good"] and len(rows(lab.engine, ConnectionLog)) == 1


def test_a_target_settled_no_credentials_at_the_start_still_gets_its_records(lab):
    """The job's start records a target without a chain as NO_CREDENTIALS; its backup task then writes its log once."""
    with session_scope(lab.engine) as session:
        session.execute(sa.insert(JobResult).values(job_id=lab.job, device_id=lab.devices[0], status="NO_CREDENTIALS",
                                                    details={"hostname": "r1", "attempts": 0}))
    assert lab.run(lab.devices[0], []).status == "NO_CREDENTIALS"
    [result] = rows(lab.engine, JobResult)
    assert result["details"]["duration_ms"] >= 0 and len(rows(lab.engine, ConnectionLog)) == 1
    with pytest.raises(JobClosedError, match="already has its result"):
        lab.run(lab.devices[0], [])
    assert len(rows(lab.engine, ConnectionLog)) == 1


SECRET_CONFIG = "hostname r1\nenable secret 0 Plain-Enable-Secret\nsnmp-server community Commun1ty-Plain RO\nend\n"


def test_original_is_sealed_unmasked_and_only_with_keep_original(lab, monkeypatch, unit_key):
    """The stored text is masked; original opens (with the key) to the text the device printed, byte for byte."""
    # The session keeps every byte before the prompt's own line: with a blank line before the prompt, SECRET_CONFIG exactly.
    monkeypatch.setitem(REPLIES, "show running-config view full", (SECRET_CONFIG + "\n",))
    first = lab.run(lab.devices[0], [lab.cred["good"]])
    lab.run(lab.devices[1], [lab.cred["good"]], keep_original=False)
    by_device = {row["device_id"]: row for row in rows(lab.engine, DeviceConfiguration)}
    kept, dropped = by_device[lab.devices[0]], by_device[lab.devices[1]]
    assert "Plain-Enable-Secret" not in kept["config_data"] and "Commun1ty-Plain" not in kept["config_data"]
    assert "Plain-Enable-Secret" not in kept["original"]  # sealed, not plain
    assert secret_box_for(lab.engine, unit_key).decrypt(kept["original"]) == SECRET_CONFIG
    assert dropped["original"] is None and dropped["config_data"] == kept["config_data"]
    assert first.config.sealed_original == kept["original"]
    assert kept["original"] not in repr(first) + repr(first.result()) + repr(first.details())
    assert not lab.run(lab.devices[0], [lab.cred["good"]], job=None).changed


def test_a_jump_host_variable_that_names_no_jump_host_fails_before_any_login(lab):
    from ansible_collections.netraven.netraven.plugins.module_utils._backup._reach import ReachOverrides

    outcome = lab.run(lab.devices[0], [lab.cred["good"]], reach=ReachOverrides(jump_host="nowhere"))
    assert (outcome.status, outcome.attempts, connect.logins) == ("FAILED_UNEXPECTED", (), [])
    assert outcome.error_message == "netraven_jump_host 'nowhere' names no jump host in the NetRaven database"
    assert rows(lab.engine, JobCredentialAttempt) == []


def test_telnet_warns_once_per_device_in_the_job_log_and_the_result(lab):
    from ansible_collections.netraven.netraven.plugins.module_utils._backup._reach import ReachOverrides

    outcome = lab.run(lab.devices[0], [lab.cred["bad1"], lab.cred["good"]], reach=ReachOverrides(transport="telnet"))
    assert outcome.status == "SUCCESS" and len(outcome.result()["warnings"]) == 1
    warnings = [log["message"] for log in rows(lab.engine, JobLog) if "in clear" in log["message"]]
    assert warnings == ["Telnet: the login of 2 credential attempt(s) crossed the network in clear (transport telnet); "
                        "move the device to SSH when it can"]
    assert "warnings" not in lab.run(lab.devices[1], [lab.cred["good"]]).result()
