# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.job task, written once for its action plugin and its module.

The action plugin (plugins/action/job.py) runs it in the controller's forked worker, where
SQLAlchemy and the core are already imported; the module (plugins/modules/job.py) runs it
where a task ships it, a host other than the controller. Both validate the same argument
spec and call run_job, so the task behaves the same either way.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._job_changes import DEFAULT_STALE_DEVICE_HOURS
from ansible_collections.netraven.netraven.plugins.module_utils._job_report import write_report
from ansible_collections.netraven.netraven.plugins.module_utils._jobs import (
    DEFAULT_JOB_NAME,
    DEFAULT_STALE_AFTER,
    close_stale_jobs,
    finish_job,
    start_job,
)
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import argspec

JOB_ARGSPEC = argspec(
    encryption=True,
    state={"type": "str", "choices": ["started", "finished", "close_stale"], "default": "started"},
    job_id={"type": "int"},
    name={"type": "str", "default": DEFAULT_JOB_NAME},
    tags={"type": "list", "elements": "str"},
    hostnames={"type": "list", "elements": "str"},
    device_ids={"type": "list", "elements": "int"},
    include_disabled={"type": "bool", "default": False},
    stale_after={"type": "int", "default": DEFAULT_STALE_AFTER},
    close_pending={"type": "bool", "default": False},
    report_path={"type": "path"},
    summary_max_devices={"type": "int", "default": 200},
    stale_device_hours={"type": "float", "default": DEFAULT_STALE_DEVICE_HOURS},
)

# The spec's cross-option rules, as keyword arguments of AnsibleModule and of ActionBase.validate_argument_spec.
JOB_ARG_RULES: Dict[str, Any] = {
    "required_if": [("state", "finished", ["job_id"])],
    "mutually_exclusive": [("job_id", "tags"), ("job_id", "hostnames"), ("job_id", "device_ids")],
}


def run_job(engine, box_factory: Callable, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
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
