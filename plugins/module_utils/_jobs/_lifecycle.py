# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Job lifecycle (docs/architecture.md: "Jobs"): start a job, fix its targets, settle or finish it exactly once.

A job is shared by every playbook run that joins it (AWX slices, ``--limit``
partitions), so its rules live in the database rather than in a run:

- starting fixes the targets once (a job_results row per targeted device, PENDING,
  or NO_CREDENTIALS for a device with an empty chain), under the job's row lock, so
  concurrent slices joining a PENDING job neither duplicate nor miss targets;
- a job that cannot run settles at start: no devices, no chain at all, or a chain the
  resolution cannot use (database error, a credential the key cannot open);
- the final status is written by one conditional UPDATE that also requires "no target
  still PENDING", and computes the status inside the same statement: two slices
  finishing together cannot both write, and the one that writes counts every result;
- a job left RUNNING by a killed run is closed as FAILED_UNEXPECTED by the next start
  (or explicitly) once it has run longer than ``stale_after`` seconds.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Set, cast

from ansible_collections.netraven.netraven.plugins.module_utils._inventory._chains import resolve_chains, select_devices
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import KEY_ENV, OLD_KEYS_ENV
from ansible_collections.netraven.netraven.plugins.module_utils._db._driver_errors import database_error
from ansible_collections.netraven.netraven.plugins.module_utils._db._url_masking import first_line, mask_text
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._errors import (
    EncryptionKeyError,
    NetRavenError,
    UnknownJobError,
    ValidationError,
    refuse_unknown_tags,
)
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._changes import DEFAULT_STALE_DEVICE_HOURS
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._report import build_summary, count_results
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._logs import log_runner_error, write_job_log
from ansible_collections.netraven.netraven.plugins.module_utils._key_check import record_key_check
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    CREDENTIAL_SECRET_COLUMNS,
    HAS_SQLALCHEMY,
    Credential,
    Device,
    Job,
    JobResult,
    JumpHost,
    Tag,
    Timestamp,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_text, utcnow
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import (
    DeviceStatus,
    ErrorType,
    JobStatus,
    NO_CHAIN_MESSAGE,
    LogLevel,
    final_log_level,
    final_status_case,
)

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
    from sqlalchemy import exc as sa_exc
if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import CursorResult, Engine
    from sqlalchemy.orm import Session
    from sqlalchemy.sql import ColumnElement

    from ansible_collections.netraven.netraven.plugins.module_utils._crypto import SecretBox

DEFAULT_JOB_NAME = "netraven backup"
DEFAULT_STALE_AFTER = 86400
NEVER_RAN_MESSAGE = "Never ran: the playbook run that owned the job ended before backing up this device"
ABANDONED_MESSAGE = "Never ran: the job was abandoned while this device was still pending"
# How many offending credentials a resolution error names (the count is always given).
MAX_NAMED_CREDENTIALS = 10


def _now(now: Optional[datetime.datetime] = None) -> datetime.datetime:
    return now or utcnow()


def _describe(error: BaseException, session: Session) -> str:
    """A one-line, password-free description of whatever the resolution raised."""
    if isinstance(error, NetRavenError):
        return str(error)
    bind = cast("Engine", session.get_bind())  # the collection binds its sessions to an engine (session_scope)
    if isinstance(error, sa_exc.DBAPIError):
        return str(database_error(error, bind))
    url = bind.url.render_as_string(hide_password=False)
    return "%s: %s" % (type(error).__name__, mask_text(first_line(error), url))


def _job_row(session: Session, job_id: int, lock: bool = False) -> Job:
    query = sa.select(Job).where(Job.id == job_id)
    if lock:
        query = query.with_for_update()
    job = session.scalars(query).one_or_none()
    if job is None:
        raise UnknownJobError(job_id)
    return job


def job_state(session: Session, job: Job) -> Dict[str, Any]:
    """The fields every job result carries: id, name, status, final and the result counts."""
    return {
        "job_id": job.id,
        "name": job.name,
        "status": job.status,
        "final": job.status in JobStatus.FINAL,
        "counts": count_results(session, job.id),
    }


# --------------------------------------------------------------------------- stale jobs

def close_stale_jobs(engine: Engine, stale_after: int = DEFAULT_STALE_AFTER, now: Optional[datetime.datetime] = None,
                     check_mode: bool = False) -> List[Dict[str, Any]]:
    """Close jobs RUNNING for more than stale_after seconds as FAILED_UNEXPECTED; returns them.

    A killed ansible-playbook leaves its job RUNNING forever (and sliced jobs wait for a
    slice that will never come). Each job is claimed by a conditional UPDATE, so two runs
    closing stale jobs at once close each job once, with one CRITICAL job log row.
    """
    if not stale_after or stale_after <= 0:
        return []
    now = _now(now)
    cutoff = now - datetime.timedelta(seconds=stale_after)
    closed: List[Dict[str, Any]] = []
    with session_scope(engine) as session:
        started = sa.func.coalesce(Job.started_at, Job.created_at)
        candidates = session.execute(
            sa.select(Job.id, Job.name, started).where(Job.status == JobStatus.RUNNING, started < cutoff)
            .order_by(Job.id)).all()
        for job_id, name, started_at in candidates:
            # An UPDATE's result is a CursorResult, which has the rowcount.
            claimed = cast("CursorResult[Any]", session.execute(
                sa.update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                .values(status=JobStatus.FAILED_UNEXPECTED, completed_at=now)
                .execution_options(synchronize_session=False)))
            if claimed.rowcount != 1:
                continue
            pending = cast("CursorResult[Any]", session.execute(
                sa.update(JobResult).where(JobResult.job_id == job_id, JobResult.status == DeviceStatus.PENDING)
                .values(status=DeviceStatus.FAILED_UNEXPECTED, result_time=now,
                        details={"error_type": ErrorType.UNEXPECTED, "error_message": ABANDONED_MESSAGE})
                .execution_options(synchronize_session=False))).rowcount
            log_runner_error(
                session, job_id,
                "Job abandoned: still RUNNING more than %d s after it started (the run that owned it was killed "
                "or lost); closed as FAILED_UNEXPECTED, %d pending device(s) marked as never run" % (stale_after, pending),
                error_type=ErrorType.UNEXPECTED, data={"stale_after": stale_after, "pending_devices": pending})
            closed.append({"job_id": job_id, "name": name, "started_at": iso_text(started_at), "pending_devices": pending})
        if check_mode:
            session.rollback()
    return closed


# --------------------------------------------------------------------------- start

def _jump_credential_ids(session: Session, device_ids: List[int]) -> List[int]:
    """The credentials of the jump hosts the devices are reached through, every hop (via) included."""
    hops = cast("Set[int]", set(session.scalars(sa.select(Device.jump_host_id).where(  # not None: the WHERE
        Device.id.in_(device_ids), Device.jump_host_id.isnot(None)))))
    credentials: Set[int] = set()
    visited: Set[int] = set()
    while hops:
        visited |= hops
        rows = session.execute(sa.select(JumpHost.credential_id, JumpHost.via_id).where(JumpHost.id.in_(hops))).all()
        credentials.update(row[0] for row in rows)
        hops = {row[1] for row in rows if row[1] is not None} - visited
    return sorted(credentials)


def _check_decryptable(session: Session, devices: List[Dict[str, Any]], box_factory: Callable[[], SecretBox]) -> int:
    """Open every distinct credential of the chains once; raise when the key cannot.

    Finding this at start, rather than device by device, turns a wrong or rotated-out
    key into one clear job status instead of a thousand failed backups.
    """
    ids = sorted({credential["id"] for device in devices for credential in device["credentials"]})
    if not ids:
        return 0
    box = box_factory()
    # The jump hosts' own logins too: a bastion whose credential the key cannot open fails its devices alike.
    jump_ids = _jump_credential_ids(session, [device["id"] for device in devices])
    columns = [getattr(Credential, column) for column in CREDENTIAL_SECRET_COLUMNS]
    rows = session.execute(
        sa.select(Credential.id, Credential.name, *columns).where(sa.or_(Credential.id.in_(ids), Credential.id.in_(jump_ids)))
        .order_by(Credential.id)).all()
    unreadable = []
    for row in rows:
        token = next((token for token in row[2:] if token is not None and not box.can_decrypt(token)), None)
        if token is not None:
            unreadable.append((row[0], row[1], token))
    if unreadable:
        if box.opened_by_comma_parts(unreadable[0][2]):
            raise box.cannot_open_error(unreadable[0][2])
        named = ", ".join("'%s' (id %d)" % (name, cred_id) for cred_id, name, _token in unreadable[:MAX_NAMED_CREDENTIALS])
        more = len(unreadable) - MAX_NAMED_CREDENTIALS
        raise EncryptionKeyError(
            "%s cannot decrypt %d credential%s of the targeted chains: %s%s (wrong key, or the old key was "
            "rotated out: put it in %s)" % (
                KEY_ENV, len(unreadable), "" if len(unreadable) == 1 else "s", named,
                " and %d more" % more if more > 0 else "", OLD_KEYS_ENV))
    record_key_check(session, box)  # an install from before the key check records its key on first use
    return len(ids)


def _fix_targets(session: Session, job: Job, devices: List[Dict[str, Any]], box_factory: Callable[[], SecretBox],
                 now: datetime.datetime) -> Dict[str, Any]:
    """Resolve chains, record the targets and settle the job when it cannot run; returns the resolution."""
    total = len(devices)
    if total == 0:
        job.status, job.completed_at = JobStatus.COMPLETED_NO_DEVICES, now
        write_job_log(session, job.id, "No devices targeted: job completed with status COMPLETED_NO_DEVICES",
                      data={"devices": 0})
        return {"devices": 0, "resolved": 0, "percent": 0.0, "credentials": 0}
    savepoint = session.begin_nested()
    try:
        resolve_chains(session, devices)
        credential_count = _check_decryptable(session, devices, box_factory)
    except Exception as error:  # pylint: disable=broad-except
        # Whatever breaks the resolution (a database error, an unreadable secret, a bug)
        # settles the job as FAILED_CREDENTIAL_RESOLUTION, as the NetRaven runner did,
        # instead of leaving it RUNNING with nothing dispatched.
        message = "Failed to resolve credentials: %s" % _describe(error, session)
        savepoint.rollback()
        job.status, job.completed_at = JobStatus.FAILED_CREDENTIAL_RESOLUTION, now
        log_runner_error(session, job.id, message, error_type=ErrorType.CREDENTIAL, data={"devices": total})
        return {"devices": total, "resolved": 0, "percent": 0.0, "credentials": 0, "error": message}
    savepoint.commit()

    resolved = sum(1 for device in devices if device["credentials"])
    percent = round(100.0 * resolved / total, 1)
    write_job_log(session, job.id, "Credential resolution: %d/%d devices resolved (%.1f%%)" % (resolved, total, percent),
                  data={"devices": total, "resolved": resolved, "percent": percent, "credentials": credential_count})
    existing = {row[0] for row in session.execute(sa.select(JobResult.device_id).where(JobResult.job_id == job.id))}
    rows = []
    for device in devices:
        if device["id"] in existing:
            continue
        if device["credentials"]:
            rows.append({"job_id": job.id, "device_id": device["id"], "status": DeviceStatus.PENDING,
                         "details": {"hostname": device["hostname"]}, "result_time": None})
        else:
            rows.append({"job_id": job.id, "device_id": device["id"], "status": DeviceStatus.NO_CREDENTIALS,
                         "details": {"hostname": device["hostname"], "error_type": ErrorType.CREDENTIAL,
                                     "error_message": NO_CHAIN_MESSAGE, "attempts": 0, "retry_count": 0},
                         "result_time": now})
    if rows:
        session.execute(sa.insert(JobResult), rows)
    if resolved == 0:
        job.status, job.completed_at = JobStatus.COMPLETED_NO_CREDENTIALS, now
        write_job_log(session, job.id, "No targeted device shares a tag with any credential: job completed with "
                      "status COMPLETED_NO_CREDENTIALS", level=LogLevel.WARNING, data={"devices": total})
    elif resolved < total:
        write_job_log(session, job.id, "%d device(s) have no credential chain and are recorded as NO_CREDENTIALS"
                      % (total - resolved), level=LogLevel.WARNING, data={"no_credentials": total - resolved})
    return {"devices": total, "resolved": resolved, "percent": percent, "credentials": credential_count}


def _create_job(session: Session, name: Optional[str], tags: Optional[Sequence[str]], now: datetime.datetime) -> Job:
    job = Job(name=name or DEFAULT_JOB_NAME, job_type="backup", status=JobStatus.RUNNING, started_at=now)
    if tags:
        found = {tag.name: tag for tag in session.scalars(sa.select(Tag).where(Tag.name.in_(tags)))}
        refuse_unknown_tags(tags, found)
        job.tags = [found[tag] for tag in tags]
    session.add(job)
    session.flush()
    return job


def start_job(engine: Engine, box_factory: Callable[[], SecretBox], name: Optional[str] = None,
              job_id: Optional[int] = None, tags: Optional[Sequence[str]] = None,
              hostnames: Optional[Sequence[str]] = None, device_ids: Optional[Sequence[int]] = None,
              include_disabled: bool = False, stale_after: int = DEFAULT_STALE_AFTER, check_mode: bool = False,
              now: Optional[datetime.datetime] = None) -> Dict[str, Any]:
    """state=started: create (or join) a job, fix its targets once, settle it when it cannot run.

    box_factory() returns the SecretBox; it is only called when some chain is not empty.
    Joining a RUNNING or final job changes nothing and returns its state. In check mode
    everything is computed and rolled back (a created job then has job_id None).
    """
    now = _now(now)
    tags = sorted(set(tags)) if tags else None
    if job_id is not None and (tags or hostnames is not None or device_ids is not None):
        raise ValidationError("job_id cannot be combined with tags, hostnames or device_ids: "
                              "a joined job targets the devices of its own tags")
    closed = close_stale_jobs(engine, stale_after, now=now, check_mode=check_mode)
    result: Dict[str, Any] = {"closed_stale": closed, "created": False, "joined": job_id is not None,
                              "changed": bool(closed), "skipped_hostnames": []}
    with session_scope(engine) as session:
        if job_id is not None:
            job = _job_row(session, job_id, lock=True)
            if job.status != JobStatus.PENDING:
                result.update(job_state(session, job))
                result["msg"] = "Joined job %d (%s)" % (job.id, job.status)
                return result
            job.status, job.started_at = JobStatus.RUNNING, now
            devices = select_devices(session, job_id=job.id, include_disabled=include_disabled)
        else:
            job = _create_job(session, name, tags, now)
            result["created"] = True
            devices = select_devices(session, tags=tags, hostnames=hostnames, device_ids=device_ids,
                                     include_disabled=include_disabled)
        if hostnames is not None:
            targeted = {device["hostname"] for device in devices}
            result["skipped_hostnames"] = sorted(set(hostnames) - targeted)
            if result["skipped_hostnames"]:
                write_job_log(session, job.id, "%d hostname(s) given are not targeted (not in the database, or "
                              "disabled): %s" % (len(result["skipped_hostnames"]), ", ".join(result["skipped_hostnames"][:20])),
                              level=LogLevel.WARNING, data={"skipped_hostnames": result["skipped_hostnames"][:1000]})
        resolution = _fix_targets(session, job, devices, box_factory, now)
        session.flush()
        result.update(job_state(session, job))
        result.update(changed=True, resolution=resolution)
        if check_mode:
            session.rollback()
            if result["created"]:
                result["job_id"] = None
    result["msg"] = _start_message(result)
    return result


def _start_message(result: Dict[str, Any]) -> str:
    resolution = result["resolution"]
    verb = "Created" if result["created"] else "Started"
    if result["status"] == JobStatus.FAILED_CREDENTIAL_RESOLUTION:
        return "%s job %s: %s (%s)" % (verb, result["job_id"], result["status"], resolution.get("error"))
    return "%s job %s: %s, %d/%d devices resolved (%.1f%%)" % (
        verb, result["job_id"], result["status"], resolution["resolved"], resolution["devices"], resolution["percent"])


# --------------------------------------------------------------------------- finish

def _final_status_expression(job_id: int) -> ColumnElement[str]:
    """CASE computing the final status from the job's results, evaluated by the finishing UPDATE."""
    total = sa.select(sa.func.count(JobResult.id)).where(JobResult.job_id == job_id).scalar_subquery()
    succeeded = (sa.select(sa.func.count(JobResult.id))
                 .where(JobResult.job_id == job_id, JobResult.status == DeviceStatus.SUCCESS).scalar_subquery())
    return final_status_case(succeeded, total)


def write_final_status(session: Session, job_id: int, now: Optional[datetime.datetime] = None) -> bool:
    """Make a RUNNING job final when no target is PENDING; True when this call wrote it.

    One statement does it: the WHERE clause (still RUNNING, no PENDING result) and the
    status (from the result counts) are evaluated together, so of concurrent finishers at
    most one matches the row, and the status it writes counts every committed result.
    completed_at is the later of now and the latest result time: a device's result time
    is taken in its worker before its commit, so a result committed between this call's
    now and its statement may carry a later one, and the job must not end before it.
    """
    pending = sa.exists().where(JobResult.job_id == job_id, JobResult.status == DeviceStatus.PENDING)
    latest = sa.select(sa.func.max(JobResult.result_time)).where(JobResult.job_id == job_id).scalar_subquery()
    at = sa.literal(_now(now), Timestamp)
    written = cast("CursorResult[Any]", session.execute(
        sa.update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING, ~pending)
        .values(status=_final_status_expression(job_id), completed_at=sa.case((latest > at, latest), else_=at))
        .execution_options(synchronize_session=False)))
    return written.rowcount == 1


def close_pending_targets(session: Session, job_id: int, now: Optional[datetime.datetime] = None,
                          message: str = NEVER_RAN_MESSAGE) -> int:
    """Mark the still PENDING targets of a RUNNING job FAILED_UNEXPECTED (never ran); returns how many."""
    running = sa.exists().where(Job.id == job_id, Job.status == JobStatus.RUNNING)
    closed = cast("CursorResult[Any]", session.execute(
        sa.update(JobResult).where(JobResult.job_id == job_id, JobResult.status == DeviceStatus.PENDING, running)
        .values(status=DeviceStatus.FAILED_UNEXPECTED, result_time=_now(now),
                details={"error_type": ErrorType.UNEXPECTED, "error_message": message})
        .execution_options(synchronize_session=False)))
    return closed.rowcount


def finish_job(engine: Engine, job_id: int, close_pending: bool = False, check_mode: bool = False,
               now: Optional[datetime.datetime] = None, max_lines: Optional[int] = None,
               stale_device_hours: float = DEFAULT_STALE_DEVICE_HOURS) -> Dict[str, Any]:
    """state=finished: write the final status once every target has a result; idempotent.

    close_pending is for a run that created its own job: its targets that never ran count
    as not succeeded and the job closes now. A run that joined a sliced job leaves them
    PENDING, so only the last slice to finish writes the final status.
    """
    now = _now(now)
    with session_scope(engine) as session:
        job = _job_row(session, job_id)
        if job.status == JobStatus.PENDING:
            raise ValidationError("Job %d has not been started (status PENDING): run state=started first" % job_id)
        never_ran = close_pending_targets(session, job_id, now) if close_pending else 0
        if never_ran:
            write_job_log(session, job_id, "%d targeted device(s) never ran before the run finished; recorded as "
                          "FAILED_UNEXPECTED" % never_ran, level=LogLevel.WARNING,
                          data={"never_ran": never_ran, "error_type": ErrorType.UNEXPECTED})
        # The final write takes its own timestamp: a result committed while this call ran is counted,
        # so completed_at must not precede it.
        written = write_final_status(session, job_id)
        session.expire_all()
        job = _job_row(session, job_id)
        if written:
            counts = count_results(session, job_id)
            write_job_log(session, job_id, "Job finished with status %s: %d/%d devices succeeded" % (
                job.status, counts["succeeded"], counts["total"]), level=final_log_level(job.status),
                data={"status": job.status, "counts": counts})
            session.flush()
        summary = build_summary(session, job_id, max_lines=max_lines, stale_device_hours=stale_device_hours)
        if check_mode:
            session.rollback()
    result = {"job_id": job_id, "name": summary["name"], "status": summary["status"], "final": summary["final"],
              "counts": summary["counts"], "summary": summary, "summary_lines": summary.pop("lines"),
              "changed": bool(written or never_ran), "written": written, "never_ran": never_ran,
              "changed_devices": summary["changed_devices"], "failed_devices": summary["failed_devices"],
              "stale_devices": summary["stale_devices"], "compliance": summary["compliance"]}
    if result["final"]:
        result["msg"] = "Job %d %s: %s" % (job_id, "finished" if written else "already final", result["status"])
    else:
        result["msg"] = "Job %d is still RUNNING: %d device(s) pending (the last slice to finish will close it)" % (
            job_id, result["counts"]["pending"])
    return result
