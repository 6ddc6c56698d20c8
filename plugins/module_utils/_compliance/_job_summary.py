# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance part of a backup job's summary, read from the database (docs/compliance.md, "After every backup").

A compliance call with ``job_id`` (playbooks/backup.yml, with netraven_compliance_file) writes a
job log line naming its rules. The job's summary then reads the current outcome of those rules
on the job's devices from compliance_state (the latest outcome of each device and rule, whether
this job evaluated it or an earlier one did), as every other part of the summary, never from one
run's memory: each slice of a sliced job reports the same. A failing rule whose ``since`` falls
in the job fell out of compliance during it (notify_changes.yml mails those).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    HAS_SQLALCHEMY,
    ComplianceState,
    Device,
    JobLog,
    JobResult,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_seconds
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ComplianceStatus, compliance_counts

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.orm import Session

JOB_RULES_KEY = "compliance_rules"
# Worst first: a device's compliance in the report is its worst rule's.
_RANK = {ComplianceStatus.NON_COMPLIANT: 0, ComplianceStatus.COMPLIANT: 1, ComplianceStatus.NOT_APPLICABLE: 2}


def _naive_utc(value: Any) -> Optional[datetime.datetime]:
    if not isinstance(value, datetime.datetime):
        return None
    return value.astimezone(datetime.timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def job_rules(session: Session, job_id: int) -> Optional[List[str]]:
    """The rules the job's last compliance call evaluated, or None when it had none."""
    rows = session.execute(sa.select(JobLog.data).where(JobLog.job_id == job_id, JobLog.device_id.is_(None))
                           .order_by(JobLog.id.desc()))
    for (data,) in rows:
        if isinstance(data, dict) and isinstance(data.get(JOB_RULES_KEY), list):
            return [str(name) for name in data[JOB_RULES_KEY]]
    return None


def job_compliance(session: Session, job_id: int, started_at: Any) -> Optional[Dict[str, Any]]:
    """The compliance of the job's devices under the job's rules (None without a compliance call in the job).

    Returns the counts and percent, ``devices`` (per device id: its worst status and counts),
    ``failing`` (every failing device and rule with its lines and since) and ``fell_out`` (those
    whose failure began during the job).
    """
    rules = job_rules(session, job_id)
    if rules is None:
        return None
    targets = sa.select(JobResult.device_id).where(JobResult.job_id == job_id)
    rows = session.execute(
        sa.select(ComplianceState.device_id, Device.hostname, ComplianceState.rule, ComplianceState.status,
                  ComplianceState.since, ComplianceState.details)
        .join(Device, Device.id == ComplianceState.device_id)
        .where(ComplianceState.device_id.in_(targets), ComplianceState.rule.in_(rules))).all()
    order = {name: index for index, name in enumerate(rules)}
    started = _naive_utc(started_at)
    counts = {status: 0 for status in ComplianceStatus.ALL}
    devices: Dict[int, Dict[str, Any]] = {}
    failing = []
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
        device = devices.setdefault(row.device_id, {"hostname": row.hostname, "status": ComplianceStatus.NOT_APPLICABLE,
                                                    "compliant": 0, "non_compliant": 0, "not_applicable": 0})
        device[row.status.lower()] = device.get(row.status.lower(), 0) + 1
        if _RANK.get(row.status, 2) < _RANK[device["status"]]:
            device["status"] = row.status
        if row.status == ComplianceStatus.NON_COMPLIANT:
            details = row.details if isinstance(row.details, dict) else {}
            since = _naive_utc(row.since)
            blocks = details.get("blocks") or []
            failing.append({
                "hostname": row.hostname, "rule": row.rule, "missing": details.get("missing") or [],
                "extra": details.get("extra") or [],
                "section": "\n".join(block.get("section", "") for block in blocks) or None,
                "since": iso_seconds(row.since),
                "new": bool(started is not None and since is not None and since >= started)})
    failing.sort(key=lambda entry: (entry["hostname"], order.get(entry["rule"], 0)))
    return {
        "rules": rules,
        "devices": devices,
        **compliance_counts(counts),
        "non_compliant_devices": sum(1 for device in devices.values() if device["status"] == ComplianceStatus.NON_COMPLIANT),
        "failing": failing,
        "fell_out": [entry for entry in failing if entry["new"]],
    }
