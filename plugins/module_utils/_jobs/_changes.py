# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a job changed, and which devices have gone stale (docs/notifications.md).

A device changed in a job when the job stored a new configuration for it: the
``device_configurations`` row carries the job's id. Its diff compares that stored
(masked) text with the device's previous stored text through ``_config_diff``, the one
rule every diff of the collection follows. One streamed query reads each changed device
with its previous configuration, so a 10,000-device job costs one round trip, not
10,000; diffs are cut per device and in total so a summary stays a readable size.

A device is stale when its last SUCCESS is older than the threshold, or it never had one.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple, Union

from ansible_collections.netraven.netraven.plugins.module_utils._history._diff import diff_configs
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import GENERIC, profile_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Device, DeviceConfiguration, JobResult
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_seconds, utcnow
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import DeviceStatus

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
    from sqlalchemy.orm import aliased
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

DEFAULT_STALE_DEVICE_HOURS = 48
# Diff lines kept per changed device and over the whole job; the counts are always complete.
DIFF_MAX_LINES_PER_DEVICE = 200
DIFF_MAX_LINES_TOTAL = 5000
STREAM_ROWS = 500


def _cut(text: str, limit: int) -> Tuple[str, int]:
    """The first ``limit`` lines of ``text`` and how many lines were left out."""
    lines = text.splitlines()
    if len(lines) <= limit:
        return text, 0
    return "\n".join(lines[:limit]) + ("\n" if limit else ""), len(lines) - limit


def changed_devices(session: Union[Session, Connection], job_id: int, per_device: int = DIFF_MAX_LINES_PER_DEVICE,
                    total: int = DIFF_MAX_LINES_TOTAL) -> List[Dict[str, Any]]:
    """Devices the job stored a new configuration for, by hostname, each with its capped diff.

    Entry keys: device_id, hostname, config_id, previous_config_id, added, removed, diff,
    diff_lines_omitted (lines of this device's diff not shown).
    """
    current = DeviceConfiguration
    previous = aliased(DeviceConfiguration)
    previous_id = (sa.select(sa.func.max(previous.id))
                   .where(previous.device_id == current.device_id, previous.id < current.id)
                   .correlate(current).scalar_subquery())
    before = aliased(DeviceConfiguration)
    query = (sa.select(current.device_id, Device.hostname, Device.device_type, current.id, current.config_data,
                       before.id, before.config_data)
             .join(Device, Device.id == current.device_id)
             .join(before, before.id == previous_id, isouter=True)
             .where(current.job_id == job_id)
             .order_by(Device.hostname, current.id)
             .execution_options(stream_results=True, yield_per=STREAM_ROWS))
    entries: List[Dict[str, Any]] = []
    budget = max(total, 0)
    for device_id, hostname, device_type, config_id, after_text, before_id, before_text in session.execute(query):
        # Volatile lines (clock, uptime) are dropped as the change detection drops them.
        platform = profile_for(device_type) or GENERIC  # a configuration stored before its type lost its profile
        diff = diff_configs(platform.normalise(before_text or ""), platform.normalise(after_text), "%s (config %s)" % (hostname, before_id),
                            "%s (config %s)" % (hostname, config_id))
        shown, omitted = _cut(diff.text, min(max(per_device, 0), budget))
        budget -= len(shown.splitlines())
        entries.append({"device_id": device_id, "hostname": hostname, "config_id": config_id,
                        "previous_config_id": before_id, "added": diff.added, "removed": diff.removed,
                        "diff": shown, "diff_lines_omitted": omitted})
    return entries


def stale_devices(session: Union[Session, Connection], hours: float = DEFAULT_STALE_DEVICE_HOURS, job_id: Optional[int] = None,
                  device_ids: Optional[Iterable[int]] = None,
                  now: Optional[datetime.datetime] = None) -> List[Dict[str, Any]]:
    """Devices whose last SUCCESS is older than ``hours`` (or that never had one), by hostname.

    With job_id, among the job's targeted devices (what this run is answerable for); else
    among the enabled devices, or the given device_ids. One grouped query.
    Entry keys: device_id, hostname, last_success (ISO time or None), hours_since (or None).
    """
    now = now or utcnow()
    cutoff = now - datetime.timedelta(hours=hours)
    last = (sa.select(JobResult.device_id, sa.func.max(JobResult.result_time).label("last_success"))
            .where(JobResult.status == DeviceStatus.SUCCESS).group_by(JobResult.device_id).subquery())
    query = (sa.select(Device.id, Device.hostname, last.c.last_success)
             .join(last, last.c.device_id == Device.id, isouter=True)
             .where(sa.or_(last.c.last_success.is_(None), last.c.last_success < cutoff))
             .order_by(Device.hostname))
    if job_id is not None:
        query = query.where(Device.id.in_(sa.select(JobResult.device_id).where(JobResult.job_id == job_id)))
    elif device_ids is not None:
        query = query.where(Device.id.in_(sorted(set(device_ids))))
    else:
        query = query.where(Device.enabled.is_(True))
    entries = []
    for device_id, hostname, last_success in session.execute(query):
        since = None
        if isinstance(last_success, datetime.datetime):
            reference = now if (now.tzinfo is None) == (last_success.tzinfo is None) else now.replace(tzinfo=None)
            since = round((reference - last_success.replace(tzinfo=reference.tzinfo)).total_seconds() / 3600.0, 1)
        entries.append({"device_id": device_id, "hostname": hostname, "last_success": iso_seconds(last_success),
                        "hours_since": since})
    return entries
