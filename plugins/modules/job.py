#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.job module: docs, and the entry point for a host other than the controller.

On the controller the action plugin of the same name runs the task in-process (module_utils._jobs._task).
"""

from __future__ import annotations

DOCUMENTATION = r"""
module: job
short_description: Start, finish and close NetRaven backup jobs
version_added: 0.1.0
description:
  - Drives the lifecycle of a NetRaven job, the record of a backup run that every
    netraven.netraven.backup task writes its results under.
  - O(state=started) creates a job (or joins O(job_id)), sets it C(RUNNING) and fixes its targets once
    (a job result per targeted device, status C(PENDING)). It resolves the credential chains of the
    targets, checks once per credential that the encryption key opens it, and logs the share of
    devices with a chain on the job, as in "8/10 devices resolved (80.0%)". A job that cannot run
    is settled at once, as C(COMPLETED_NO_DEVICES) when nothing is targeted, C(COMPLETED_NO_CREDENTIALS) when no targeted
    device has a chain (devices without a chain get the result C(NO_CREDENTIALS)), and
    C(FAILED_CREDENTIAL_RESOLUTION) when the resolution fails (database error, a credential the key
    cannot decrypt), with a job log entry of level C(ERROR) and error type C(CREDENTIAL).
  - O(state=finished) writes the final status from the job results once no target is C(PENDING),
    C(COMPLETED_SUCCESS) when every device succeeded, C(COMPLETED_PARTIAL_FAILURE) when some did,
    C(COMPLETED_FAILURE) when none did (devices without credentials count as not succeeded).
    A single conditional update writes it, so when several runs share a job (AWX slices, C(--limit)
    partitions) it becomes final exactly once, after the last one. Finishing again changes nothing.
    It returns a summary and can write a self-contained HTML report.
  - Jobs left C(RUNNING) for longer than O(stale_after) seconds (a killed or lost run) are closed as
    C(FAILED_UNEXPECTED), with a C(CRITICAL) job log entry, at every O(state=started) and on
    O(state=close_stale).
author:
  - NetRaven developers (@netraven)
options:
  state:
    description:
      - V(started) creates a job, or joins O(job_id), and fixes its targets.
      - V(finished) computes and writes the final status when every target has a result, and returns the summary.
      - V(close_stale) only closes the jobs RUNNING for longer than O(stale_after) seconds.
    type: str
    choices: [started, finished, close_stale]
    default: started
  job_id:
    description:
      - The job to join (O(state=started)) or to finish (O(state=finished), required).
      - A joined job that is still C(PENDING) (created by another tool) is started, and targets the
        enabled devices that carry any of its tags. A job already C(RUNNING) keeps its targets, and a
        final one is returned as it is.
    type: int
  name:
    description:
      - Name of a job this task creates.
    type: str
    default: netraven backup
  tags:
    description:
      - A created job targets the devices that carry any of these tags; they become the job's tags.
      - An unknown tag is an error.
    type: list
    elements: str
  hostnames:
    description:
      - A created job targets the devices with these hostnames (an inventory's hosts). An empty list
        targets nothing. Names that match no device (or a disabled one) are returned in RV(skipped_hostnames)
        and logged as a warning on the job.
    type: list
    elements: str
  device_ids:
    description:
      - A created job targets the devices with these ids.
      - Combined with O(tags) or O(hostnames), a device must match all the filters given. Without any
        of them a created job targets every enabled device.
    type: list
    elements: int
  include_disabled:
    description:
      - Also target devices that are disabled in NetRaven.
    type: bool
    default: false
  stale_after:
    description:
      - Seconds after which a C(RUNNING) job counts as abandoned and is closed as C(FAILED_UNEXPECTED),
        its pending targets marked as never run. V(0) disables the check.
      - Set it above the longest legitimate run, slices included.
    type: int
    default: 86400
  close_pending:
    description:
      - With O(state=finished), mark the targets still C(PENDING) as C(FAILED_UNEXPECTED) ("never ran") and
        close the job now. For a run that created its own job and ends it.
      - Leave it V(false) for a run that joined a shared job, so that the last run to finish writes the
        final status.
    type: bool
    default: false
  report_path:
    description:
      - With O(state=finished), write the HTML report of the job to this file (created or replaced
        atomically; missing directories are created). The page has no external assets.
    type: path
  summary_max_devices:
    description:
      - At most this many devices are listed per section of RV(summary_lines); RV(summary) and the report are complete.
    type: int
    default: 200
  stale_device_hours:
    description:
      - With O(state=finished), a targeted device whose last C(SUCCESS) is older than this many hours, or that
        never had one, is listed in RV(stale_devices), the summary and the report. See C(docs/notifications.md).
    type: float
    default: 48
extends_documentation_fragment:
  - netraven.netraven.database
  - netraven.netraven.database.encryption
  - netraven.netraven.attributes
  - netraven.netraven.attributes.no_diff
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
    details: On the controller the job runs in Ansible's worker process; on any other host this module runs there.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    details: Everything is computed in a transaction that is rolled back; a job it would create has RV(job_id) null.
notes:
  - In a play over the devices, run it once with C(delegate_to) and C(run_once).
  - On the controller (C(delegate_to=localhost), or a play over localhost) an action plugin runs the task in
    Ansible's worker process, without starting a module; the options, check mode and results are the same.
  - The encryption key is needed only to check the chains at O(state=started).
  - The playbook C(netraven.netraven.backup) uses this module around the backup of every device.
seealso:
  - module: netraven.netraven.backup
  - plugin: netraven.netraven.netraven
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: Start a job for the devices of the inventory
  netraven.netraven.job:
    state: started
    name: nightly backup
    hostnames: "{{ groups['all'] }}"
  register: netraven_job_started

- name: Start a job for the devices tagged core or edge
  netraven.netraven.job:
    tags: [core, edge]

- name: Finish it, closing targets that never ran, and write the report
  netraven.netraven.job:
    state: finished
    job_id: "{{ netraven_job_started.job_id }}"
    close_pending: true
    report_path: /var/tmp/netraven-job.html
  register: netraven_job_finished

- name: Show the summary
  ansible.builtin.debug:
    msg: "{{ netraven_job_finished.summary_lines }}"

- name: Close jobs a killed run left RUNNING for more than two hours
  netraven.netraven.job:
    state: close_stale
    stale_after: 7200
"""

RETURN = r"""
job_id:
  description: Id of the job (null for a job check mode would create).
  returned: when O(state) is V(started) or V(finished)
  type: int
  sample: 42
name:
  description: Name of the job.
  returned: when O(state) is V(started) or V(finished)
  type: str
  sample: netraven backup
status:
  description: Status of the job after the task.
  returned: when O(state) is V(started) or V(finished)
  type: str
  sample: COMPLETED_PARTIAL_FAILURE
final:
  description: Whether the status is final (no device will be backed up under this job any more).
  returned: when O(state) is V(started) or V(finished)
  type: bool
created:
  description: Whether this task created the job.
  returned: when O(state=started)
  type: bool
joined:
  description: Whether this task joined an existing job (O(job_id) given).
  returned: when O(state=started)
  type: bool
counts:
  description: Device results of the job.
  returned: when O(state) is V(started) or V(finished)
  type: dict
  contains:
    total:
      description: Targeted devices (plus any device a backup recorded under the job).
      type: int
    succeeded:
      description: Devices backed up.
      type: int
    failed:
      description: Devices with a final status other than C(SUCCESS), C(NO_CREDENTIALS) included.
      type: int
    pending:
      description: Targets without a result yet.
      type: int
    by_status:
      description: Number of devices per device status.
      type: dict
  sample: {"total": 3, "succeeded": 2, "failed": 1, "pending": 0, "by_status": {"FAILED_AUTH": 1, "SUCCESS": 2}}
resolution:
  description: Credential resolution at start (when this task fixed the targets).
  returned: when O(state=started) created or started the job
  type: dict
  sample: {"devices": 10, "resolved": 8, "percent": 80.0, "credentials": 3}
skipped_hostnames:
  description: Hostnames given in O(hostnames) that no enabled device has.
  returned: when O(state=started)
  type: list
  elements: str
closed_stale:
  description: Jobs closed as C(FAILED_UNEXPECTED) because they were RUNNING for longer than O(stale_after).
  returned: when O(state) is V(started) or V(close_stale)
  type: list
  elements: dict
  sample: [{"job_id": 7, "name": "nightly", "started_at": "2025-01-01T02:00:00+00:00", "pending_devices": 12}]
written:
  description: Whether this task wrote the final status (false when the job was already final or still has pending targets).
  returned: when O(state=finished)
  type: bool
never_ran:
  description: Pending targets O(close_pending) marked as C(FAILED_UNEXPECTED).
  returned: when O(state=finished)
  type: int
summary:
  description: What the job did.
  returned: when O(state=finished)
  type: dict
  contains:
    status:
      description: Job status.
      type: str
    status_text:
      description: Display text of the status (for example C(No credentials found), C(Credential error)).
      type: str
    counts:
      description: Same as RV(counts).
      type: dict
    failed_devices:
      description: Devices not backed up, with C(hostname), C(device_id), C(status) and C(reason).
      type: list
      elements: dict
    devices:
      description:
        - Every device of the job with C(hostname), C(device_id), C(status), the credential that worked
          (or was tried last) as C(credential_id), C(credential_name), C(credential_username), and
          C(retry_count), C(attempts), C(changed), C(config_id), C(duration_ms), C(error_type), C(error).
      type: list
      elements: dict
    logs:
      description: The job-level log entries (newest 50), with C(timestamp), C(level), C(message), C(error_type).
      type: list
      elements: dict
summary_lines:
  description: The summary as readable lines (status, counts, job errors, failed devices with reason, the credential per device).
  returned: when O(state=finished)
  type: list
  elements: str
  sample:
    - "NetRaven job 42 'nightly': COMPLETED_PARTIAL_FAILURE (Completed with failures)"
    - "Devices: 3 targeted, 2 succeeded, 1 failed, 0 pending"
    - "By status: FAILED_AUTH 1, SUCCESS 2"
    - "Failed devices:"
    - "  - r3: FAILED_AUTH: Authentication failed for every credential"
    - "Backed up:"
    - "  - r1: credential 'netops' (id 1)"
    - "  - r2: credential 'admin' (id 2), required 2 credential attempts"
changed_devices:
  description:
    - Devices this job stored a new configuration for, by hostname, with C(hostname), C(device_id), C(config_id),
      C(previous_config_id) (null for a first backup), C(added) and C(removed) line counts, C(diff) (unified diff
      of the stored masked texts, capped at 200 lines per device and 5000 per job) and C(diff_lines_omitted).
  returned: when O(state=finished)
  type: list
  elements: dict
failed_devices:
  description: Devices not backed up, with C(hostname), C(device_id), C(status) and C(reason).
  returned: when O(state=finished)
  type: list
  elements: dict
stale_devices:
  description:
    - Targeted devices whose last C(SUCCESS) is older than O(stale_device_hours) or that never had one, with
      C(hostname), C(device_id), C(last_success) (ISO time or null) and C(hours_since).
  returned: when O(state=finished)
  type: list
  elements: dict
compliance:
  description:
    - When a C(netraven.netraven.compliance) task evaluated the job's devices (C(playbooks/backup.yml) with
      C(netraven_compliance_file)), their current compliance under its rules - C(rules), C(compliant),
      C(non_compliant), C(not_applicable), C(percent), C(non_compliant_devices), C(failing) (each failing device
      and rule with C(hostname), C(rule), C(missing), C(extra), C(section), C(since) and C(new)) and C(fell_out)
      (the failing ones whose failure began during the job). Null without one. See C(docs/compliance.md).
  returned: when O(state=finished)
  type: dict
report_path:
  description: Absolute path of the HTML report written.
  returned: when O(report_path) is set with O(state=finished)
  type: str
"""

from typing import Any, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._jobs._changes import DEFAULT_STALE_DEVICE_HOURS
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._lifecycle import DEFAULT_JOB_NAME, DEFAULT_STALE_AFTER
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._task import run_job
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule, argspec

ARGUMENT_SPEC = argspec(
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
RULES: Dict[str, Any] = {
    "required_if": [("state", "finished", ["job_id"])],
    "mutually_exclusive": [("job_id", "tags"), ("job_id", "hostnames"), ("job_id", "device_ids")],
}


def main() -> None:
    """Entry point (where the action plugin ships the module: a host other than the controller)."""
    module = NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES)
    module.run(lambda mod: run_job(mod.engine, mod.secret_box, mod.params, mod.check_mode))


if __name__ == "__main__":
    main()
