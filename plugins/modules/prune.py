#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.prune module: argument spec and docs; the work is in module_utils._history._prune."""

from __future__ import annotations

DOCUMENTATION = r"""
module: prune
short_description: Delete old configurations, logs, results and finished jobs from the NetRaven database
version_added: 0.1.0
description:
  - Applies a retention policy. Each kind of history has its own age limit in O(keep_days); what is not
    set is kept. O(keep_versions) also keeps only the newest configurations of each device.
  - Never deletes a device's latest configuration, a C(PENDING) or C(RUNNING) job, or the logs, results and
    configurations of such a job. Deleting a finished job deletes its logs and results too.
  - Deletes in batches of O(batch_size) rows, one short transaction each, so a backup running beside it is
    never blocked for more than a moment.
author:
  - NetRaven developers (@netraven)
options:
  keep_versions:
    description: Keep this many newest configurations per device (at least 1). Unset keeps all.
    type: int
  keep_days:
    description: Age limits in days, each optional; a table without one is not pruned by age.
    type: dict
    default: {}
    suboptions:
      configurations:
        description: Configurations retrieved longer ago than this.
        type: int
      job_logs:
        description: Job log lines older than this.
        type: int
      connection_logs:
        description: Connection log rows older than this.
        type: int
      job_results:
        description: Job results recorded longer ago than this.
        type: int
      jobs:
        description: Finished jobs completed longer ago than this, with their logs and results.
        type: int
      compliance_results:
        description:
          - Compliance evaluations older than this (C(docs/compliance.md), "Table growth"). The latest outcome of
            each device and rule, and since when it fails, are kept apart and never pruned.
        type: int
  batch_size:
    description: Rows deleted per transaction.
    type: int
    default: 5000
extends_documentation_fragment:
  - netraven.netraven.database
  - netraven.netraven.attributes
  - netraven.netraven.attributes.no_diff
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    details:
      - Returns the same per-table counts as a real run would delete, and writes nothing.
seealso:
  - module: netraven.netraven.job
"""

EXAMPLES = r"""
- name: Keep 30 versions per device, 90 days of logs and a year of jobs
  netraven.netraven.prune:
    keep_versions: 30
    keep_days:
      job_logs: 90
      connection_logs: 90
      jobs: 365
  register: pruned

- name: Say what went
  ansible.builtin.debug:
    msg: "{{ pruned.msg }}"
"""

RETURN = r"""
deleted:
  description: Rows deleted (in check mode, that would be deleted) per table, for the tables the options cover.
  returned: success
  type: dict
  sample: {device_configurations: 120, job_logs: 48000, jobs: 12}
msg:
  description: One line with the total and the per-table counts.
  returned: success
  type: str
"""

from typing import TYPE_CHECKING, Any, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule
from ansible_collections.netraven.netraven.plugins.module_utils._history._prune import AGE_KEYS, DEFAULT_BATCH, prune

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule, Result

# The module and its action plugin (plugins/action/prune.py, which runs handler in the controller's
# worker) share the spec, the rules and the handler.
ARGUMENT_SPEC = NetRavenModule.argspec(
    keep_versions={"type": "int"},
    keep_days={"type": "dict", "default": {}, "options": {key: {"type": "int"} for key in AGE_KEYS}},
    batch_size={"type": "int", "default": DEFAULT_BATCH},
)
RULES: Dict[str, Any] = {}


def handler(mod: HandlerModule) -> Result:
    """The module's work, given a NetRavenModule or the action's InProcessModule."""
    params = mod.params
    if params["keep_versions"] is not None and params["keep_versions"] < 1:
        raise ValidationError("keep_versions must be at least 1 (the latest configuration is always kept)")
    if any(days is not None and days < 0 for days in params["keep_days"].values()) or params["batch_size"] < 1:
        raise ValidationError("keep_days values must be 0 or more and batch_size at least 1")
    return prune(mod.engine, keep_days=params["keep_days"], keep_versions=params["keep_versions"],
                 batch_size=params["batch_size"], check_mode=mod.check_mode)


def main() -> None:
    """Entry point."""
    NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES).run(handler)


if __name__ == "__main__":
    main()
