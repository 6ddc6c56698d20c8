# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.job task, written once for its action plugin and its module.

The action plugin (plugins/action/job.py) runs it in the controller's forked worker, where
SQLAlchemy and the core are already imported; the module (plugins/modules/job.py) runs it
where a task ships it, a host other than the controller. Both validate the module's
ARGUMENT_SPEC and RULES and call run_job, so the task behaves the same either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._jobs._report import write_report
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._lifecycle import (
    close_stale_jobs,
    finish_job,
    start_job,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ansible_collections.netraven.netraven.plugins.module_utils._crypto import SecretBox


def run_job(engine: Engine, box_factory: Callable[[], SecretBox], params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    """The task's result for validated params: start, finish or close stale jobs (see the module's docs)."""
    if params["state"] == "close_stale":
        closed = close_stale_jobs(engine, params["stale_after"], check_mode=check_mode)
        return {"changed": bool(closed), "closed_stale": closed, "msg": "Closed %d stale job(s)" % len(closed)}
    if params["state"] == "started":
        return start_job(
            engine, box_factory, name=params["name"], job_id=params["job_id"], tags=params["tags"],
            hostnames=params["hostnames"], device_ids=params["device_ids"],
            include_disabled=params["include_disabled"], stale_after=params["stale_after"], check_mode=check_mode)
    result = finish_job(engine, params["job_id"], close_pending=params["close_pending"], check_mode=check_mode,
                        max_lines=params["summary_max_devices"], stale_device_hours=params["stale_device_hours"])
    if params["report_path"] and not check_mode:
        result["report_path"] = write_report(params["report_path"], result["summary"])
    return result
