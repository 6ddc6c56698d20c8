# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Database reads and writes of one device's backup (docs/architecture.md, "Transactions and locks").

Transactions are short and few, because 50 forks share the database:
- the first transaction gathers the device, the chain's ciphertexts, the credentials
  already rejected on this device in this job and the latest stored configuration,
  and (within a job) claims the first credential: on the happy path it is one of two;
- within a job, each login attempt first claims its credential for the device
  (a job_credential_attempts row, marked rejected when the login is rejected), so other forks
  and slices see it at once: a credential is never tried twice on a device in one
  job, and the lockout guard can count rejections exactly (see claim_attempt);
- each rejected login commits at once (metrics, job log);
- the shared credential rows are locked as briefly as possible: their metrics UPDATE
  is the last statement before the commit, and a claim locks its credential only
  while the lockout guard applies;
- one final transaction writes the rest: the last attempt's metrics and log, the
  configuration when it changed, the device's last credential, the connection log
  and the job result. A crash in between leaves nothing half-written;
- nothing is written into a closed job: every write of a device within a job (its
  claims, its rejections, its final transaction) first checks, in the same
  transaction, that the job is open (not final) and the device's result not yet written
  (require_open_result), so an orphaned or re-run worker adds nothing to a job the
  stale-job rule (or a finished run) has closed.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple, cast

from ansible_collections.netraven.netraven.plugins.module_utils._errors import JobClosedError, ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._logs import log_credential_attempt, write_connection_log, write_job_log
from ansible_collections.netraven.netraven.plugins.module_utils._backup._credential_metrics import record_credential_attempt
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import DeviceStatus, ErrorType, JobStatus, LogLevel
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    HAS_SQLALCHEMY,
    ConnectionLog,
    Credential,
    Device,
    DeviceConfiguration,
    Job,
    JobCredentialAttempt,
    JobLog,
    JobResult,
    JumpHost,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import utcnow
from ansible_collections.netraven.netraven.plugins.module_utils._backup._jump_chain import Hop
from ansible_collections.netraven.netraven.plugins.module_utils._backup._reach import (
    DIRECT,
    NO_OVERRIDES,
    Reach,
    ReachOverrides,
    jump_host_name,
    reach_of,
)
from ansible_collections.netraven.netraven.plugins.module_utils._backup._outcome import DeviceOutcome
from ansible_collections.netraven.netraven.plugins.module_utils._db._statements import Row, Statement, Target, chunks, in_slots, slot_values

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.sql import ColumnElement

    from ansible_collections.netraven.netraven.plugins.module_utils._db._statements import AnySelect

CLAIMED = "claimed"
REJECTED = "rejected"
WAIT = "wait"
GUARDED = "guarded"

# The statements of a device's backup, each written once and compiled before the fork
# (_statements.py; docs/architecture.md, "Where SQL is compiled").
_JCA = JobCredentialAttempt
DEVICE_SELECT = Statement(lambda: sa.select(
    Device.id, Device.hostname, Device.ip_address, Device.port, Device.device_type, Device.enabled,
    Device.transport, Device.legacy_ssh, JumpHost.name.label("jump_host"))
    .outerjoin(JumpHost, JumpHost.id == Device.jump_host_id)
    .where(Device.id == sa.bindparam("device_id")))
CREDENTIALS_SELECT = Statement(lambda: sa.select(
    Credential.id, Credential.username, Credential.password, Credential.enable_secret, Credential.private_key,
    Credential.private_key_passphrase).where(in_slots(Credential.id, "ids")))


def _hop_select() -> AnySelect:
    """One jump host by name, with the name of the one before it (via) and its login's sealed secrets."""
    via = sa.orm.aliased(JumpHost)
    return (sa.select(JumpHost.name, JumpHost.host, JumpHost.port, via.name, Credential.username, Credential.password,
                      Credential.private_key, Credential.private_key_passphrase)
            .join(Credential, Credential.id == JumpHost.credential_id)
            .outerjoin(via, via.id == JumpHost.via_id)
            .where(JumpHost.name == sa.bindparam("name")))


JUMP_HOP_SELECT = Statement(_hop_select)
MAX_HOPS = 32
REJECTED_ON_DEVICE_SELECT = Statement(lambda: sa.select(_JCA.credential_id).where(
    _JCA.job_id == sa.bindparam("job_id"), _JCA.device_id == sa.bindparam("device_id")))
LATEST_CONFIG_SELECT = Statement(lambda: sa.select(
    DeviceConfiguration.id, DeviceConfiguration.data_hash, DeviceConfiguration.config_data)
    .where(DeviceConfiguration.device_id == sa.bindparam("device_id"))
    .order_by(DeviceConfiguration.id.desc()).limit(1))
ACCEPTED_IN_JOB_SELECT = Statement(lambda: sa.select(ConnectionLog.credential_id).where(
    ConnectionLog.job_id == sa.bindparam("job_id"), ConnectionLog.successful.is_(True),
    in_slots(ConnectionLog.credential_id, "ids")).distinct())
REJECTED_COUNTS_SELECT = Statement(lambda: sa.select(_JCA.credential_id, sa.func.count(sa.distinct(_JCA.device_id)))
                                   .where(_JCA.job_id == sa.bindparam("job_id"), _JCA.outcome == REJECTED,
                                          in_slots(_JCA.credential_id, "ids"))
                                   .group_by(_JCA.credential_id))
# FOR NO KEY UPDATE (key_share) rather than FOR UPDATE: see _lock_claims_of. SQLite renders no lock clause.
CREDENTIAL_LOCK = Statement(lambda: sa.select(Credential.id).where(Credential.id == sa.bindparam("credential_id"))
                            .with_for_update(key_share=True))
# PostgreSQL only (see _log_guard_once): held until the commit.
GUARD_WARNING_LOCK = Statement(lambda: sa.select(sa.func.pg_advisory_xact_lock(sa.bindparam("key", type_=sa.BigInteger))))
CLAIM_COUNTS_SELECT = Statement(lambda: sa.select(_JCA.outcome, sa.func.count())
                                .where(_JCA.job_id == sa.bindparam("job_id"),
                                       _JCA.credential_id == sa.bindparam("credential_id"))
                                .group_by(_JCA.outcome))
CLAIM_INSERT = Statement(lambda: sa.insert(_JCA).values(
    job_id=sa.bindparam("job_id"), credential_id=sa.bindparam("credential_id"), device_id=sa.bindparam("device_id"),
    outcome=CLAIMED, attempted_at=sa.bindparam("now")))
JOB_WARNINGS_SELECT = Statement(lambda: sa.select(JobLog.data).where(
    JobLog.job_id == sa.bindparam("job_id"), JobLog.device_id.is_(None), JobLog.level == LogLevel.WARNING))


def _claim_of_device() -> Tuple[ColumnElement[bool], ...]:
    """WHERE of one device's claim of one credential in one job."""
    return (_JCA.job_id == sa.bindparam("job_id"), _JCA.credential_id == sa.bindparam("credential_id"),
            _JCA.device_id == sa.bindparam("device_id"))


CLAIM_DELETE = Statement(lambda: sa.delete(_JCA).where(*_claim_of_device()))
CLAIM_REJECT = Statement(lambda: sa.update(_JCA).where(*_claim_of_device()).values(outcome=REJECTED))
CONFIG_INSERT = Statement(lambda: sa.insert(DeviceConfiguration).values(
    device_id=sa.bindparam("device_id"), job_id=sa.bindparam("job_id"), retrieved_at=sa.bindparam("now"),
    config_data=sa.bindparam("config_data"), data_hash=sa.bindparam("data_hash"),
    config_metadata=sa.bindparam("config_metadata"), original=sa.bindparam("original")).returning(DeviceConfiguration.id))
DEVICE_SEEN_UPDATE = Statement(lambda: sa.update(Device).where(Device.id == sa.bindparam("device_id")).values(
    last_seen=sa.bindparam("now"), last_credential_id=sa.bindparam("credential_id")))


def _open_job() -> AnySelect:
    """SELECT of the job while it is still open (not final): the guard of every result write."""
    return sa.select(Job.id).where(Job.id == sa.bindparam("job_id"),
                                   Job.status.notin_([sa.literal(status) for status in sorted(JobStatus.FINAL)]))


OPEN_JOB_SELECT = Statement(_open_job)
RESULT_UPDATE = Statement(lambda: sa.update(JobResult).where(
    JobResult.job_id == sa.bindparam("job_id"), JobResult.device_id == sa.bindparam("device_id"),
    JobResult.job_id.in_(_open_job())).values(
        status=sa.bindparam("status"), details=sa.bindparam("details"), result_time=sa.bindparam("now")))
RESULT_EXISTS_SELECT = Statement(lambda: sa.select(JobResult.id).where(
    JobResult.job_id == sa.bindparam("job_id"), JobResult.device_id == sa.bindparam("device_id")))
RESULT_INSERT = Statement(lambda: sa.insert(JobResult).values(
    job_id=sa.bindparam("job_id"), device_id=sa.bindparam("device_id"), status=sa.bindparam("status"),
    details=sa.bindparam("details"), result_time=sa.bindparam("now")))


def _result_state(lock: bool) -> AnySelect:
    """The device's job_results status and details, FOR UPDATE when lock (see require_open_result)."""
    select = sa.select(JobResult.status, JobResult.details).where(
        JobResult.job_id == sa.bindparam("job_id"), JobResult.device_id == sa.bindparam("device_id"))
    return select.with_for_update() if lock else select


RESULT_STATE_SELECT = Statement(lambda: _result_state(lock=False))
RESULT_STATE_LOCK = Statement(lambda: _result_state(lock=True))
JOB_STATUS_SELECT = Statement(lambda: sa.select(Job.status).where(Job.id == sa.bindparam("job_id")))


def _in_chunks(statement: Statement, connection: Target, ids: Iterable[int], **params: Any) -> List[Row]:
    """The rows of a statement with an in_slots list "ids", run once per chunk of ids."""
    rows: List[Row] = []
    for chunk in chunks(ids):
        rows += statement.rows(connection, **dict(params, **slot_values("ids", chunk)))
    return rows


class SealedLogin(NamedTuple):
    """A credential as the backup reads it: the username and every secret still sealed (None where unset)."""

    username: str
    password: Optional[str]
    enable_secret: Optional[str]
    private_key: Optional[str]
    private_key_passphrase: Optional[str]


class DeviceContext:
    """What the backup of one device needs from the database, as plain values.

    ``reach`` is the way to the device for this run; ``route_error`` a reason it has none
    (a netraven_jump_host that names no jump host), which fails the device before any login.
    """

    def __init__(self, device: Dict[str, Any], credentials: Dict[int, SealedLogin], rejected_ids: Set[int],
                 guarded_ids: Set[int], latest_config: Optional[Dict[str, Any]], reach: Reach = DIRECT,
                 route_error: Optional[str] = None) -> None:
        self.device = device
        self.credentials = credentials
        self.rejected_ids = rejected_ids
        self.guarded_ids = guarded_ids
        self.latest_config = latest_config
        self.reach = reach
        self.route_error = route_error


def load_hops(session: Target, name: str) -> Tuple[Hop, ...]:
    """The jump hosts from the named one outwards (via), returned outermost first; ValidationError naming a missing one."""
    hops: List[Hop] = []
    wanted: Optional[str] = name
    while wanted is not None:
        row = JUMP_HOP_SELECT.first(session, name=wanted)
        if row is None:
            raise ValidationError("netraven_jump_host '%s' names no jump host in the NetRaven database" % wanted)
        hop_name, host, port, via, username, password, key, passphrase = row
        hops.append(Hop(hop_name, host, port, username, password, key, passphrase))
        if len(hops) > MAX_HOPS:
            raise ValidationError("Jump host '%s' goes via more than %d jump hosts (a loop?)" % (name, MAX_HOPS))
        wanted = via
    return tuple(reversed(hops))


def _reach(session: Target, device: Dict[str, Any], overrides: ReachOverrides) -> Tuple[Reach, Optional[str]]:
    """(the device's Reach in this run, the reason it has none or None); at most one query per hop."""
    name = jump_host_name(overrides, device.get("jump_host"))
    try:
        hops = load_hops(session, name) if name else ()
    except ValidationError as error:
        return reach_of(device, overrides, ()), str(error)
    return reach_of(device, overrides, hops), None


def load_context(session: Target, device_id: int, credential_ids: Sequence[int], job_id: Optional[int] = None,
                 lockout_threshold: int = 0, overrides: ReachOverrides = NO_OVERRIDES) -> DeviceContext:
    """Read everything for one device in one transaction (four or five small queries, one more per jump host)."""
    rows = DEVICE_SELECT.mappings(session, device_id=device_id)
    if not rows:
        raise ValidationError("Device %s does not exist in the NetRaven database" % device_id)
    device = rows[0]
    ciphertexts: Dict[int, SealedLogin] = {}
    if credential_ids:
        for row in _in_chunks(CREDENTIALS_SELECT, session, credential_ids):
            ciphertexts[row[0]] = SealedLogin(*row[1:])
    rejected: Set[int] = set()
    guarded: Set[int] = set()
    if job_id is not None:
        rejected = {row[0] for row in REJECTED_ON_DEVICE_SELECT.rows(session, job_id=job_id, device_id=device_id)}
        if lockout_threshold and credential_ids:
            guarded = lockout_guarded(session, job_id, credential_ids, lockout_threshold)
    latest = LATEST_CONFIG_SELECT.mappings(session, device_id=device_id)
    reach, route_error = _reach(session, device, overrides)
    return DeviceContext(device, ciphertexts, rejected, guarded, latest[0] if latest else None, reach, route_error)


def _unwritten(status: str, details: Optional[Dict[str, Any]]) -> bool:
    """A job result no backup has written yet: PENDING, or NO_CREDENTIALS as the job's start settled it.

    The start records a target without any credential chain as NO_CREDENTIALS at once,
    and its backup task then writes that device's connection log and its full result.
    Every result a backup writes carries duration_ms (DeviceOutcome.details); the
    start's never does.
    """
    if status == DeviceStatus.PENDING:
        return True
    return status == DeviceStatus.NO_CREDENTIALS and "duration_ms" not in (details or {})


def require_open_result(session: Target, job_id: int, device_id: int, hostname: Optional[str] = None,
                        lock: bool = False) -> None:
    """Raise JobClosedError unless the job is open (RUNNING, or PENDING) and the device's result is not written yet.

    Called first in every transaction that writes a device's records within a job, so
    that the check and the writes commit together. lock: take the device's job_results
    row FOR UPDATE (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers anyway).
    Whatever closes a job while a target is PENDING (the stale-job rule, a finish that
    closes the pending targets) updates that row, so it waits for this transaction, or
    this one waits for it and then sees the row no longer PENDING. Only the result row
    is locked, never the job row: a lock on the job would queue every device behind
    the others, and against the closers (which lock the job, then the results) it
    could deadlock. A device that is not a target of the job has no row, and gets one.
    """
    result = (RESULT_STATE_LOCK if lock else RESULT_STATE_SELECT).first(session, job_id=job_id, device_id=device_id)
    job_status = JOB_STATUS_SELECT.scalar(session, job_id=job_id)
    device = "'%s' (id %s)" % (hostname, device_id) if hostname is not None else "id %s" % device_id
    if job_status is None:
        raise JobClosedError("Job %s does not exist: nothing of device %s was recorded" % (job_id, device))
    if job_status not in JobStatus.ACTIVE:
        raise JobClosedError("Job %s is closed (%s): nothing of device %s was recorded" % (job_id, job_status, device))
    if result is not None and not _unwritten(result[0], result[1]):
        raise JobClosedError("Device %s already has its result in job %s (%s): this run recorded nothing"
                             % (device, job_id, result[0]))


def _accepted_in_job(session: Target, job_id: int, credential_ids: Iterable[int]) -> Set[int]:
    """Credentials that logged in successfully somewhere in this job."""
    return {row[0] for row in _in_chunks(ACCEPTED_IN_JOB_SELECT, session, credential_ids, job_id=job_id)}


def lockout_guarded(session: Target, job_id: int, credential_ids: Sequence[int], threshold: int) -> Set[int]:
    """Credentials rejected on at least `threshold` distinct devices in this job and never accepted in it."""
    rejected_counts = _in_chunks(REJECTED_COUNTS_SELECT, session, credential_ids, job_id=job_id)
    over = {cred_id for cred_id, count in rejected_counts if count >= threshold}
    return over - _accepted_in_job(session, job_id, sorted(over)) if over else set()


def _dialect_name(target: Target) -> str:
    """The database's dialect name of a Session or a Connection."""
    return (target.get_bind() if hasattr(target, "get_bind") else target).dialect.name


def _guard_warning_key(job_id: int, credential_id: int) -> int:
    """A signed 64-bit advisory lock key for (job, credential), the same in every fork."""
    digest = hashlib.sha256(b"netraven-lockout-guard:%d:%d" % (job_id, credential_id)).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock_claims_of(session: Target, credential_id: int) -> None:
    """Serialise the guarded claims of one credential: a row lock on it until the commit.

    FOR NO KEY UPDATE rather than FOR UPDATE: it still excludes the other claims (and the
    metrics UPDATE), but not the key-share locks that every insert referencing the
    credential (claims, logs) holds until its commit, which FOR UPDATE would wait for.
    """
    CREDENTIAL_LOCK.rows(session, credential_id=credential_id)


def claim_attempt(session: Target, job_id: int, device_id: int, credential: Dict[str, Any], threshold: int) -> str:
    """Claim a login attempt of a credential on a device within a job: CLAIMED, WAIT or GUARDED.

    The claim is a job_credential_attempts row written before the login ('claimed'),
    marked 'rejected' when the login is rejected and deleted otherwise. With a threshold
    K, a credential accepted nowhere in the job yet is GUARDED once K devices rejected it
    (the first refusal is logged once, as a job-level WARNING), and told to WAIT while
    rejections plus logins in flight reach K: so it is tried on at most K devices, however
    many forks and slices run at once, and a good credential is only held back until its
    first success. While the guard applies, the claims of one credential are serialised
    by a lock on its row (PostgreSQL; SQLite writers are serial anyway); once the
    credential was accepted in the job, or without a threshold, a claim takes no lock.
    In a closed job, or for a device whose result is written already,
    nothing is claimed (JobClosedError), so the device is not even logged into.
    """
    require_open_result(session, job_id, device_id)
    cred_id = credential["id"]
    if threshold and not _accepted_in_job(session, job_id, [cred_id]):
        _lock_claims_of(session, cred_id)
        # Asked again under the lock: a login may have been accepted while this claim waited.
        if not _accepted_in_job(session, job_id, [cred_id]):
            state = _guard_state(session, job_id, credential, threshold)
            if state is not None:
                return state
    force_claim(session, job_id, device_id, cred_id)
    return CLAIMED


def _guard_state(session: Target, job_id: int, credential: Dict[str, Any], threshold: int) -> Optional[str]:
    """GUARDED, WAIT, or None (free to claim) for a credential not accepted in the job yet."""
    counts: Dict[str, int] = dict(CLAIM_COUNTS_SELECT.rows(session, job_id=job_id, credential_id=credential["id"]))
    rejected = counts.get(REJECTED, 0)
    if rejected >= threshold:
        _log_guard_once(session, job_id, credential, rejected, threshold)
        return GUARDED
    if rejected + counts.get(CLAIMED, 0) >= threshold:
        return WAIT
    return None


def force_claim(session: Target, job_id: int, device_id: int, credential_id: int) -> None:
    """The claim row itself; called directly, a claim without the guard (a wait that outlived its deadline)."""
    CLAIM_INSERT.execute(session, job_id=job_id, credential_id=credential_id, device_id=device_id, now=utcnow())


def note_guarded(session: Target, job_id: int, credential: Dict[str, Any], threshold: int) -> None:
    """The job-level WARNING for a credential the device's context already found guarded (once per job).

    A device that starts after the K-th rejection skips the credential at once, without a
    claim: the warning must not depend on some device still reaching the claim.
    """
    counts: Dict[str, int] = dict(CLAIM_COUNTS_SELECT.rows(session, job_id=job_id, credential_id=credential["id"]))
    _log_guard_once(session, job_id, credential, counts.get(REJECTED, 0), threshold)


def _log_guard_once(session: Target, job_id: int, credential: Dict[str, Any], rejected: int, threshold: int) -> None:
    """The job-level WARNING of a guarded credential, written by whichever fork meets it first.

    Two forks can meet the guard at once: one under its claim's credential lock, another that
    only notes a guard its context already found (note_guarded, which takes no row lock). On
    PostgreSQL a transaction-scoped advisory lock of (job, credential) makes the look and the
    write one step for both; SQLite's writers are serial already (BEGIN IMMEDIATE).
    """
    if _dialect_name(session) == "postgresql":
        GUARD_WARNING_LOCK.rows(session, key=_guard_warning_key(job_id, credential["id"]))
    marker = {"error_type": ErrorType.LOCKOUT_GUARD, "credential_id": credential["id"]}
    for (data,) in JOB_WARNINGS_SELECT.rows(session, job_id=job_id):
        if isinstance(data, dict) and all(data.get(k) == v for k, v in marker.items()):
            return
    message = ("Lockout guard: credential '%s' (id %d) was rejected on %d devices in this job and accepted on none: "
               "it is not tried on further devices" % (credential["username"], credential["id"], rejected))
    write_job_log(session, job_id, message, level=LogLevel.WARNING,
                  data=dict(marker, credential_username=credential["username"], threshold=threshold))


def release_claim(session: Target, job_id: int, device_id: int, credential_id: int) -> None:
    """Drop the claim of an attempt that was not a rejection (accepted, or the device failed)."""
    CLAIM_DELETE.execute(session, job_id=job_id, credential_id=credential_id, device_id=device_id)


def record_rejection(session: Target, job_id: Optional[int], device_id: int, credential: Dict[str, Any], attempt: int,
                     reason: Optional[str] = None) -> None:
    """A rejected login: the claim marked rejected, the job log row, and (last) the metrics; nothing in a closed job.

    reason names a rejection other than a refused login (an enable secret refused) in the job log.
    """
    if job_id is not None:
        require_open_result(session, job_id, device_id, lock=True)
        CLAIM_REJECT.execute(session, job_id=job_id, credential_id=credential["id"], device_id=device_id)
        log_credential_attempt(session, job_id, device_id, credential["id"], credential["username"], attempt,
                               False, error_type=ErrorType.AUTH, reason=reason)
    record_credential_attempt(session, credential["id"], False)


def store_configuration(session: Target, device_id: int, job_id: Optional[int], text: str, data_hash: str,
                        metadata: Optional[Dict[str, Any]], original: Optional[str] = None) -> int:
    """A new device_configurations row; returns its id. ``original`` is the sealed token (sealed before the transaction)."""
    config_id: int = CONFIG_INSERT.scalar(session, device_id=device_id, job_id=job_id, now=utcnow(), config_data=text,
                                          data_hash=data_hash, config_metadata=metadata, original=original)
    return config_id


def mark_device_seen(session: Target, device_id: int, credential_id: Optional[int]) -> None:
    """Remember the credential that worked, so the next run tries it first."""
    DEVICE_SEEN_UPDATE.execute(session, device_id=device_id, now=utcnow(), credential_id=credential_id)


def write_job_result(session: Target, job_id: int, device_id: int, status: str, details: Dict[str, Any]) -> bool:
    """Set the device's job_results row (created PENDING at job start, or inserted now).

    Only while the job is still open: a worker orphaned by a killed run must not change
    the results of a job that the stale-job rule has already closed. Returns whether it wrote.
    """
    now = utcnow()
    if RESULT_UPDATE.rowcount(session, job_id=job_id, device_id=device_id, status=status, details=details, now=now):
        return True
    if OPEN_JOB_SELECT.first(session, job_id=job_id) is None:
        return False
    exists = RESULT_EXISTS_SELECT.first(session, job_id=job_id, device_id=device_id)
    if exists is None:
        RESULT_INSERT.execute(session, job_id=job_id, device_id=device_id, status=status, details=details, now=now)
    return exists is None


def record_outcome(session: Target, outcome: DeviceOutcome, job_id: Optional[int]) -> Optional[int]:
    """The final transaction of one device: last attempt, config, device, connection log, job result.

    Takes the backup's immutable DeviceOutcome and returns the id of the configuration it
    stands for (the new row when it changed, the latest one when not, else None); it never
    changes the outcome. The credential's metrics come last. Every device of a job updates
    the same few credential rows, and an UPDATE holds its row lock until the commit:
    updated first, they would queue the rest of every device's transaction behind one another.
    Within a job, the first statement checks that the job is still open and the
    device's result not yet written (require_open_result): when not, JobClosedError
    rolls the whole transaction back, so nothing of the device is written.
    """
    device_id = outcome.device_id
    if job_id is not None:
        require_open_result(session, job_id, device_id, outcome.hostname, lock=True)
    last = outcome.last_attempt
    if last is not None and job_id is not None and last.claimed and not last.rejected:
        release_claim(session, job_id, device_id, last.credential_id)
    metrics = None
    if last is not None and not last.recorded:
        if last.accepted or last.rejected:
            metrics = (last.credential_id, last.accepted)
        if job_id is not None:
            log_credential_attempt(session, job_id, device_id, last.credential_id, last.credential_username,
                                   last.number, last.accepted, error_type=last.error_type, message=last.message)
    config_id = outcome.config_id
    config = outcome.config
    if config is not None and config.store_text is not None:
        # data_hash is set with store_text (DeviceBackup._handle_config).
        config_id = store_configuration(session, device_id, job_id, config.store_text, cast(str, config.data_hash),
                                        config.config_metadata, config.sealed_original)
    if outcome.successful:
        mark_device_seen(session, device_id, outcome.credential_id)
    if job_id is not None:
        for warning in outcome.warnings:
            write_job_log(session, job_id, warning, level=LogLevel.WARNING, device_id=device_id)
    write_connection_log(
        session, device_id, job_id, outcome.successful, duration_ms=outcome.duration_ms,
        error_message=outcome.error_message, error_type=outcome.error_type,
        credential_id=outcome.credential_id, credential_username=outcome.credential_username,
        retry_count=outcome.retry_count)
    if job_id is not None:
        details = dict(outcome.details(), config_id=config_id)
        write_job_result(session, job_id, device_id, outcome.status, details)
    if metrics is not None:
        record_credential_attempt(session, *metrics)
    return config_id
