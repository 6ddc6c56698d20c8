#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.device_info module: argument spec and docs; the rule is in module_utils._jobs._changes."""

from __future__ import annotations

DOCUMENTATION = r"""
module: device_info
short_description: List the NetRaven devices that have not been backed up recently (stale devices)
version_added: 0.1.0
description:
  - Lists the stale devices on their own, for a monitoring job that runs apart from the backups.
  - A device is stale when its last successful backup is older than O(stale_device_hours), or when it
    never had one. The backup job's finish applies the same rule to the devices it targeted
    (see C(docs/notifications.md)).
  - Only reads the database; never changes anything.
author:
  - NetRaven developers (@netraven)
options:
  stale_device_hours:
    description: Hours since the last successful backup after which a device counts as stale.
    type: float
    default: 48
  job_id:
    description:
      - Only the devices this job targeted. Without it, every enabled device. A job id that names no job fails the task.
    type: int
extends_documentation_fragment:
  - netraven.netraven.database
  - netraven.netraven.attributes
  - netraven.netraven.attributes.no_diff
  - netraven.netraven.attributes.read_only
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
seealso:
  - module: netraven.netraven.job
  - module: netraven.netraven.config_info
"""

EXAMPLES = r"""
- name: Devices not backed up for a day
  netraven.netraven.device_info:
    stale_device_hours: 24
  register: stale

- name: Fail the monitoring job when any device is stale
  ansible.builtin.assert:
    that: stale.stale_devices | length == 0
    fail_msg: "{{ stale.msg }}"
"""

RETURN = r"""
stale_devices:
  description: The stale devices, by hostname.
  returned: success
  type: list
  elements: dict
  contains:
    device_id:
      description: The device's id.
      type: int
    hostname:
      description: The device's hostname.
      type: str
    last_success:
      description: When its last successful backup was recorded (ISO 8601), or null when it never had one.
      type: str
    hours_since:
      description: Hours since that backup, or null.
      type: float
  sample: [{device_id: 7, hostname: edge-3, last_success: null, hours_since: null}]
msg:
  description: One line with the number of stale devices and the threshold.
  returned: success
  type: str
"""

from typing import TYPE_CHECKING, Any, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._jobs._lookup import require_job
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._changes import DEFAULT_STALE_DEVICE_HOURS, stale_devices
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule, Result

# The module and its action plugin (plugins/action/device_info.py, which runs handler in the controller's
# worker) share the spec, the rules and the handler.
ARGUMENT_SPEC = NetRavenModule.argspec(
    stale_device_hours={"type": "float", "default": DEFAULT_STALE_DEVICE_HOURS},
    job_id={"type": "int"},
)
RULES: Dict[str, Any] = {}


def handler(mod: HandlerModule) -> Result:
    """The module's work, given a NetRavenModule or the action's InProcessModule."""
    hours = mod.params["stale_device_hours"]
    if hours < 0:
        raise ValidationError("stale_device_hours must be 0 or more")
    job_id = mod.params["job_id"]
    with mod.engine.connect() as connection:
        if job_id is not None:  # a job that does not exist is an error, not "0 stale devices"
            require_job(connection, job_id)
        stale = stale_devices(connection, hours=hours, job_id=job_id)
    return {"changed": False, "stale_devices": stale,
            "msg": "%d stale device%s (no successful backup for %g h)" % (len(stale), "" if len(stale) == 1 else "s", hours)}


def main() -> None:
    """Entry point."""
    NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES).run(handler)


if __name__ == "__main__":
    main()
