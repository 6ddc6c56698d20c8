# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Database reads and writes of one device's backup (DESIGN 5, 6).

Transactions are short and few, because 50 forks share the database:
- one read transaction gathers the device, the chain's ciphertexts, the credentials
  already rejected on this device in this job and the latest stored configuration;
- each rejected login commits at once (metrics, job log, rejection), so other forks
  and slices see it (the lockout guard, "never twice in one job");
- one final transaction writes the rest: the last attempt's metrics and log, the
  configuration when it changed, the device's last credential, the connection log
  and the job result. A crash in between leaves nothing half-written.
"""

from __future__ import annotations

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._logs import (
    log_credential_attempt,
    write_connection_log,
)
from ansible_collections.netraven.netraven.plugins.module_utils._metrics import record_credential_attempt
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import JobStatus
from ansible_collections.netraven.netraven.plugins.module_utils._models import (
    HAS_SQLALCHEMY,
    ConnectionLog,
    Credential,
    Device,
    DeviceConfiguration,
    Job,
    JobCredentialRejection,
    JobResult,
    utcnow,
)

if HAS_SQLALCHEMY:
    import sqlalchemy as sa


class DeviceContext:
    """What the backup of one device needs from the database, as plain values."""

    def __init__(self, device, credentials, rejected_ids, guarded_ids, latest_config):
        self.device = device
        self.credentials = credentials
        self.rejected_ids = rejected_ids
        self.guarded_ids = guarded_ids
        self.latest_config = latest_config


def load_context(session, device_id, credential_ids, job_id=None, lockout_threshold=0):
    """Read everything for one device in one transaction (four or five small queries)."""
    row = session.execute(
        sa.select(Device.id, Device.hostname, Device.ip_address, Device.port, Device.device_type, Device.enabled)
        .where(Device.id == device_id)).first()
    if row is None:
        raise ValidationError("Device %s does not exist in the NetRaven database" % device_id)
    device = dict(row._mapping)
    ciphertexts = {}
    if credential_ids:
        for cred_id, username, password in session.execute(
                sa.select(Credential.id, Credential.username, Credential.password)
                .where(Credential.id.in_(list(credential_ids)))):
            ciphertexts[cred_id] = (username, password)
    rejected = set()
    guarded = set()
    if job_id is not None:
        rejected = {r[0] for r in session.execute(
            sa.select(JobCredentialRejection.credential_id)
            .where(JobCredentialRejection.job_id == job_id, JobCredentialRejection.device_id == device_id))}
        if lockout_threshold and credential_ids:
            guarded = lockout_guarded(session, job_id, credential_ids, lockout_threshold)
    latest = session.execute(
        sa.select(DeviceConfiguration.id, DeviceConfiguration.data_hash, DeviceConfiguration.config_data)
        .where(DeviceConfiguration.device_id == device_id)
        .order_by(DeviceConfiguration.id.desc()).limit(1)).first()
    return DeviceContext(device, ciphertexts, rejected, guarded, dict(latest._mapping) if latest else None)


def lockout_guarded(session, job_id, credential_ids, threshold):
    """Credentials rejected on at least `threshold` distinct devices in this job and never accepted in it."""
    rejected_counts = session.execute(
        sa.select(JobCredentialRejection.credential_id, sa.func.count(sa.distinct(JobCredentialRejection.device_id)))
        .where(JobCredentialRejection.job_id == job_id,
               JobCredentialRejection.credential_id.in_(list(credential_ids)))
        .group_by(JobCredentialRejection.credential_id)).all()
    over = {cred_id for cred_id, count in rejected_counts if count >= threshold}
    if not over:
        return set()
    accepted = {r[0] for r in session.execute(
        sa.select(ConnectionLog.credential_id).where(
            ConnectionLog.job_id == job_id, ConnectionLog.successful.is_(True),
            ConnectionLog.credential_id.in_(list(over))).distinct())}
    return over - accepted


def record_rejection(session, job_id, device_id, credential, attempt, message, track_metrics=True):
    """A rejected login: metrics, job log row and (within a job) the rejection itself."""
    if track_metrics:
        record_credential_attempt(session, credential["id"], False)
    if job_id is not None:
        log_credential_attempt(session, job_id, device_id, credential["id"], credential["username"], attempt,
                               False, error_type="AUTH", message=message)
        session.execute(sa.insert(JobCredentialRejection).values(
            job_id=job_id, credential_id=credential["id"], device_id=device_id, rejected_at=utcnow()))


def store_configuration(session, device_id, job_id, text, data_hash, metadata):
    """A new device_configurations row; returns its id."""
    entry = DeviceConfiguration(device_id=device_id, job_id=job_id, retrieved_at=utcnow(), config_data=text,
                                data_hash=data_hash, config_metadata=metadata)
    session.add(entry)
    session.flush()
    return entry.id


def mark_device_seen(session, device_id, credential_id):
    """Remember the credential that worked, so the next run tries it first."""
    session.execute(sa.update(Device).where(Device.id == device_id).values(
        last_seen=utcnow(), last_credential_id=credential_id))


def write_job_result(session, job_id, device_id, status, details):
    """Set the device's job_results row (created PENDING at job start, or inserted now).

    Only while the job is still open: a worker orphaned by a killed run must not change
    the results of a job that the stale-job rule has already closed. Returns whether it wrote.
    """
    now = utcnow()
    open_job = sa.select(Job.id).where(Job.id == job_id, Job.status.notin_(JobStatus.FINAL))
    updated = session.execute(
        sa.update(JobResult).where(JobResult.job_id == job_id, JobResult.device_id == device_id,
                                   JobResult.job_id.in_(open_job))
        .values(status=status, details=details, result_time=now))
    if updated.rowcount:
        return True
    if session.execute(open_job).first() is None:
        return False
    exists = session.execute(sa.select(JobResult.id).where(JobResult.job_id == job_id,
                                                           JobResult.device_id == device_id)).first()
    if exists is None:
        session.add(JobResult(job_id=job_id, device_id=device_id, status=status, details=details, result_time=now))
    return exists is None


def record_outcome(session, outcome, job_id):
    """The final transaction of one device: last attempt, config, device, connection log, job result."""
    device_id = outcome.device_id
    last = outcome.attempts[-1] if outcome.attempts else None
    if last is not None and not last.get("recorded"):
        success = last["outcome"] == "accepted"
        if success or last["error_type"] == "AUTH":
            record_credential_attempt(session, last["credential_id"], success)
        if job_id is not None:
            log_credential_attempt(session, job_id, device_id, last["credential_id"], last["credential_username"],
                                   last["attempt"], success, error_type=last["error_type"], message=last.get("message"))
    if outcome.store_text is not None:
        outcome.config_id = store_configuration(session, device_id, job_id, outcome.store_text, outcome.data_hash,
                                                outcome.config_metadata)
    if outcome.successful:
        mark_device_seen(session, device_id, outcome.credential_id)
    write_connection_log(
        session, device_id, job_id, outcome.successful, duration_ms=outcome.duration_ms,
        error_message=outcome.error_message, error_type=outcome.error_type,
        credential_id=outcome.credential_id, credential_username=outcome.credential_username,
        retry_count=outcome.retry_count)
    if job_id is not None:
        write_job_result(session, job_id, device_id, outcome.status, outcome.details())
