#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.config_info module: argument spec and docs; the work is in module_utils._history._versions."""

from __future__ import annotations

DOCUMENTATION = r"""
module: config_info
short_description: Read stored configurations - list versions, show one, diff two, search the estate
version_added: 0.1.0
description:
  - Reads the configuration history NetRaven stored. It never writes.
  - By default lists the versions of O(device), newest first.
  - With O(version), O(config_id) or O(at) (at most one) returns that version's stored text.
  - With O(diff_against) compares the selected version (the latest by default) with an older one.
  - With O(search) looks for a regular expression in the latest configuration of every enabled
    device (or of every device with any of O(tags)).
  - The text returned is the stored text, with secrets masked. See C(docs/history.md).
  - With O(reveal=true) it also returns the original of the selected version, unmasked, opened with the
    encryption key. Such a task must run with C(no_log=true), or it is refused.
author:
  - NetRaven developers (@netraven)
options:
  device:
    description:
      - Hostname or id of the device. Required unless O(search) is set.
    type: str
  limit:
    description:
      - The most versions to list, or the most devices O(search) returns.
      - With O(search) the result says in RV(matched) and RV(truncated) when more devices matched.
    type: int
  version:
    description:
      - The version to return, 1 being the latest and 2 the one before.
    type: int
  config_id:
    description:
      - The id of the stored configuration to return.
    type: int
  at:
    description:
      - An ISO timestamp; returns the version in force at that time. Without a zone it is UTC.
    type: str
  diff_against:
    description:
      - A version number (as O(version)) to compare the selected version with.
    type: int
  search:
    description:
      - A Python regular expression searched line by line in the latest configuration of each device.
    type: str
  tags:
    description:
      - With O(search), only devices with any of these tags (disabled ones included).
    type: list
    elements: str
  context:
    description:
      - With O(search), how many lines around each match to return.
    type: int
    default: 0
  absent:
    description:
      - With O(search), return the devices whose latest configuration has no match instead.
    type: bool
    default: false
  reveal:
    description:
      - Also return RV(original), the selected version's configuration as the device printed it, secrets
        included, opened from its sealed copy with the encryption key (O(encryption_key) or E(NETRAVEN_ENCRYPTION_KEY),
        older passphrases in E(NETRAVEN_ENCRYPTION_OLD_KEYS)). For restores; see C(docs/history.md).
      - Needs one version selected with O(version), O(config_id) or O(at); refused with O(search) and
        O(diff_against), and for a version stored without its original (O(netraven.netraven.backup#module:keep_original=false)).
      - B(The task must run with C(no_log=true)), or it is refused in one line, so that the unmasked text stays out
        of the output, the logs and callbacks; use the registered result in later tasks (C(ansible.builtin.copy)
        with C(mode=0600), also with C(no_log=true)).
    type: bool
    default: false
extends_documentation_fragment:
  - netraven.netraven.database
  - netraven.netraven.database.encryption
  - netraven.netraven.attributes
  - netraven.netraven.attributes.diff
  - netraven.netraven.attributes.read_only
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  diff_mode:
    details:
      - With O(diff_against), C(--diff) shows the change between the two versions.
notes:
  - Search streams rows, so memory stays flat on large estates.
  - O(search) is matched line by line with the C(regex) library and a time bound per line (0.25 s), so a pattern
    that backtracks without end (a repeated group inside a repetition) is refused in one line naming it instead of
    stalling the controller.
  - Only O(reveal) needs the encryption key; without it no original is read.
seealso:
  - module: netraven.netraven.backup
  - plugin: netraven.netraven.config
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: List the stored versions of core-1
  netraven.netraven.config_info:
    device: core-1
    limit: 10

- name: The version before the latest
  netraven.netraven.config_info:
    device: core-1
    version: 2

- name: What changed since the previous version
  netraven.netraven.config_info:
    device: core-1
    diff_against: 2
  register: change

- name: Devices without an NTP server
  netraven.netraven.config_info:
    search: '^ntp server '
    absent: true
    tags: [core]

- name: The unmasked original of the latest version, for a restore (never shown)
  netraven.netraven.config_info:
    device: core-1
    version: 1
    reveal: true
  no_log: true
  register: restore
"""

RETURN = r"""
hostname:
  description: The device's hostname.
  returned: when O(device) is set
  type: str
  sample: core-1
versions:
  description: The stored versions, newest first.
  returned: when only O(device) is set
  type: list
  elements: dict
  sample: [{config_id: 7, retrieved_at: "2026-12-01T21:30:00", job_id: 3, data_hash: "ab12", bytes: 2048, lines: 80}]
config:
  description: The stored (masked) text of the selected version.
  returned: with O(version), O(config_id) or O(at)
  type: str
config_id:
  description: The id of the selected version.
  returned: with O(version), O(config_id) or O(at)
  type: int
retrieved_at:
  description: When the selected version was stored (UTC).
  returned: with O(version), O(config_id) or O(at)
  type: str
job_id:
  description: The job that stored the selected version.
  returned: with O(version), O(config_id) or O(at)
  type: int
data_hash:
  description: SHA-256 of the selected version's text.
  returned: with O(version), O(config_id) or O(at)
  type: str
bytes:
  description: Length of the selected version's text.
  returned: with O(version), O(config_id) or O(at)
  type: int
lines:
  description: Number of lines of the selected version's text.
  returned: with O(version), O(config_id) or O(at)
  type: int
original:
  description:
    - The selected version as the device printed it, secrets included (unmasked). Use C(no_log=true) on the task.
  returned: with O(reveal=true)
  type: str
diff:
  description: The two texts in Ansible's before/after form, shown by C(--diff).
  returned: with O(diff_against)
  type: dict
unified_diff:
  description: The unified diff; its headers carry hostname, config_id and time.
  returned: with O(diff_against)
  type: str
diff_stats:
  description: Counts of added and removed lines.
  returned: with O(diff_against)
  type: dict
  sample: {added: 1, removed: 0}
from_config_id:
  description: The id of the older version compared.
  returned: with O(diff_against)
  type: int
to_config_id:
  description: The id of the newer version compared.
  returned: with O(diff_against)
  type: int
matches:
  description:
    - Per device the hostname and its matching lines (C(line_number), C(line), and C(context) when
      O(context) is set); with O(absent), the devices without a match.
  returned: with O(search)
  type: list
  elements: dict
  sample: [{hostname: core-1, lines: [{line_number: 12, line: "ntp server 192.0.2.1"}]}]
matched:
  description: How many devices matched in all (more than RV(matches) holds when O(limit) cut it).
  returned: with O(search)
  type: int
truncated:
  description: Whether O(limit) left out some matching devices.
  returned: with O(search)
  type: bool
"""

from typing import TYPE_CHECKING, Any, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._history._versions import config_history
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule, Result

# The module and its action plugin (plugins/action/config_info.py, which runs handler in the controller's
# worker) share the spec, the rules and the handler.
ARGUMENT_SPEC = NetRavenModule.argspec(
    device={"type": "str"},
    limit={"type": "int"},
    version={"type": "int"},
    config_id={"type": "int"},
    at={"type": "str"},
    diff_against={"type": "int"},
    search={"type": "str"},
    tags={"type": "list", "elements": "str"},
    context={"type": "int", "default": 0},
    absent={"type": "bool", "default": False},
    reveal={"type": "bool", "default": False},
    encryption=True,
)
RULES: Dict[str, Any] = {}


def handler(mod: HandlerModule) -> Result:
    """The module's work, given a NetRavenModule or the action's InProcessModule."""
    return config_history(mod.engine, mod.params, mod.secret_box, no_log=bool(getattr(mod, "no_log", False)))


def main() -> None:
    """Entry point."""
    NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES).run(handler)


if __name__ == "__main__":
    main()
