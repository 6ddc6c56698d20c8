# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retention: delete old history in small batches (the prune module's core).

See docs/history.md, "Retention". Each table has its own age limit; configurations also
keep the newest keep_versions per device. What is never deleted: a device's latest
configuration, an active (PENDING or RUNNING) job, and the logs, results and
configurations of an active job. Deleting a finished job deletes its logs and results
too, counted under their own tables.

Rows go in batches of batch_size primary keys, one short transaction each, so a prune of
millions of rows never holds locks long enough to stall a backup writing beside it.
Check mode counts with the same conditions and writes nothing, so both give one answer.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Dict, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    HAS_SQLALCHEMY,
    ComplianceResult,
    ConnectionLog,
    DeviceConfiguration,
    Job,
    JobCredentialAttempt,
    JobLog,
    JobResult,
    job_tags,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import utcnow
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import JobStatus

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
    from sqlalchemy.orm import aliased
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.sql import ColumnElement

    from ansible_collections.netraven.netraven.plugins.module_utils._db._statements import AnySelect

# A mapped class of a table prune deletes from (each has an integer id) -> the WHERE of its rows to delete.
Conditions = Dict[Any, "ColumnElement[bool]"]

AGE_KEYS = ("configurations", "job_logs", "connection_logs", "job_results", "jobs", "compliance_results")
DEFAULT_BATCH = 5000


def _cutoff(keep_days: Dict[str, Optional[int]], key: str, now: datetime.datetime) -> Optional[datetime.datetime]:
    days = keep_days.get(key)
    return None if days is None else now - datetime.timedelta(days=days)


def _active_jobs() -> AnySelect:
    return sa.select(Job.id).where(Job.status.in_(JobStatus.ACTIVE))


def _prunable_jobs(cutoff: datetime.datetime) -> AnySelect:
    return sa.select(Job.id).where(Job.status.not_in(JobStatus.ACTIVE), Job.completed_at.is_not(None),
                                   Job.completed_at < cutoff)


def _conditions(keep_days: Dict[str, Optional[int]], keep_versions: Optional[int], now: datetime.datetime) -> Conditions:
    """table model -> the WHERE clause of the rows to delete (None: nothing in that table)."""
    jobs_cutoff = _cutoff(keep_days, "jobs", now)
    old_jobs = _prunable_jobs(jobs_cutoff) if jobs_cutoff is not None else None
    conditions: Conditions = {}

    config_rules = []
    cutoff = _cutoff(keep_days, "configurations", now)
    if cutoff is not None:
        config_rules.append(DeviceConfiguration.retrieved_at < cutoff)
    if keep_versions is not None:
        newer = aliased(DeviceConfiguration)
        config_rules.append(sa.select(sa.func.count()).select_from(newer).where(
            newer.device_id == DeviceConfiguration.device_id, newer.id > DeviceConfiguration.id)
            .scalar_subquery() >= keep_versions)
    if config_rules:
        latest = sa.select(sa.func.max(DeviceConfiguration.id)).group_by(DeviceConfiguration.device_id)
        conditions[DeviceConfiguration] = sa.and_(
            sa.or_(*config_rules), DeviceConfiguration.id.not_in(latest),
            sa.or_(DeviceConfiguration.job_id.is_(None), DeviceConfiguration.job_id.not_in(_active_jobs())))

    for model, key, when in ((JobLog, "job_logs", JobLog.timestamp), (ConnectionLog, "connection_logs",
                             ConnectionLog.timestamp), (JobResult, "job_results", JobResult.result_time)):
        rules = []
        cutoff = _cutoff(keep_days, key, now)
        if cutoff is not None:
            rules.append(when < cutoff)
        if old_jobs is not None and model is not ConnectionLog:
            rules.append(model.job_id.in_(old_jobs))
        if rules:
            conditions[model] = sa.and_(sa.or_(*rules), sa.or_(model.job_id.is_(None),
                                                               model.job_id.not_in(_active_jobs())))
    if old_jobs is not None:
        conditions[Job] = Job.id.in_(old_jobs)
    # Compliance history: since lives in compliance_state, so old evaluations go by age alone.
    cutoff = _cutoff(keep_days, "compliance_results", now)
    if cutoff is not None:
        conditions[ComplianceResult] = ComplianceResult.evaluated_at < cutoff
    return conditions


def _delete_batches(engine: Engine, model: Any, condition: ColumnElement[bool], batch_size: int) -> int:
    """Delete the matching rows batch_size primary keys at a time, one transaction per batch."""
    deleted = 0
    while True:
        with session_scope(engine) as session:
            ids = list(session.execute(sa.select(model.id).where(condition).order_by(model.id)
                                       .limit(batch_size)).scalars())
            if not ids:
                return deleted
            if model is Job:
                session.execute(sa.delete(JobCredentialAttempt).where(JobCredentialAttempt.job_id.in_(ids)))
                session.execute(sa.delete(job_tags).where(job_tags.c.job_id.in_(ids)))
            session.execute(sa.delete(model).where(model.id.in_(ids)))
        deleted += len(ids)
        if len(ids) < batch_size:
            return deleted


def prune(engine: Engine, keep_days: Optional[Dict[str, Optional[int]]] = None, keep_versions: Optional[int] = None,
          batch_size: int = DEFAULT_BATCH, check_mode: bool = False) -> Dict[str, Any]:
    """Delete (or in check mode count) what the retention options let go; returns the module's result fields."""
    keep_days = keep_days or {}
    now = utcnow()
    conditions = _conditions(keep_days, keep_versions, now)
    # Children before parents: a job's logs and results go before the job.
    order = (DeviceConfiguration, JobLog, ConnectionLog, JobResult, Job, ComplianceResult)
    counts: Dict[str, int] = {}
    for model in order:
        if model not in conditions:
            continue
        if check_mode:
            with session_scope(engine) as session:
                counts[model.__tablename__] = session.execute(
                    sa.select(sa.func.count()).select_from(model).where(conditions[model])).scalar_one()
        else:
            counts[model.__tablename__] = _delete_batches(engine, model, conditions[model], batch_size)
    total = sum(counts.values())
    return {
        "changed": total > 0,
        "deleted": counts,
        "msg": "%d row(s) %s: %s" % (
            total, "would be deleted" if check_mode else "deleted",
            ", ".join("%s %d" % item for item in counts.items()) or "no retention set"),
    }
