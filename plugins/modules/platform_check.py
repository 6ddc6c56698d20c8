#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.platform_check module: argument spec and docs; the work is in module_utils._platforms._check."""

from __future__ import annotations

DOCUMENTATION = r"""
module: platform_check
short_description: Check a platform profile against a saved device output
version_added: 0.1.0
description:
  - Shows what a backup would make of a saved output of a platform's configuration command, without
    a device or a database. Use it when you write or change a profile in a platforms file.
  - Returns the text a backup would store (secrets masked), the text its change hash covers (volatile
    lines dropped, re-encrypted values constant), whether the profile's end marker was found, the
    lines dropped as volatile and how many secret values were masked.
  - Secrets are shown as C(<secret>) (a backup stores a keyed C(<secret:...>) marker instead).
author:
  - NetRaven developers (@netraven)
options:
  platform:
    description:
      - A netmiko device type (for example V(fortinet)) or a profile name (for example V(fortios)).
      - A device type or profile in O(platforms_file) wins over the built-in one, as in a backup.
    type: str
    required: true
  output_file:
    description:
      - A file holding the device's output of the profile's command(s), as captured from the device.
    type: path
    required: true
  platforms_file:
    description:
      - Your platforms file (docs/platforms.md). Defaults to E(NETRAVEN_PLATFORMS_FILE); without either,
        only the built-in profiles are known.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - The module never changes anything.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - Run it on C(localhost). The playbook C(netraven.netraven.check_platform) wraps it and prints the result.
seealso:
  - module: netraven.netraven.backup
"""

EXAMPLES = r"""
- name: Check my EdgeSwitch profile against a capture
  netraven.netraven.platform_check:
    platform: ubiquiti_edgeswitch
    output_file: captures/edge1.txt
    platforms_file: platforms.yml
  register: checked

- name: Fail when the capture would count as truncated
  ansible.builtin.assert:
    that: checked.complete
"""

RETURN = r"""
profile:
  description: The name of the profile that serves O(platform).
  returned: success
  type: str
  sample: fortios
device_types:
  description: The device types the profile serves.
  returned: success
  type: list
  elements: str
  sample: [fortinet]
commands:
  description: The command(s) whose output O(output_file) should hold.
  returned: success
  type: list
  elements: str
  sample: [show]
end:
  description: The profile's end marker (a regex, V(braces), or null when it has none).
  returned: success
  type: str
  sample: "^end$"
end_found:
  description: Whether the output ends as the end marker says; null when the profile has no end marker.
  returned: success
  type: bool
  sample: true
complete:
  description: Whether a backup would accept the output as complete (end marker and minimum size), not FAILED_TRUNCATED.
  returned: success
  type: bool
  sample: true
secrets_masked:
  description: How many secret values were masked.
  returned: success
  type: int
  sample: 4
volatile_lines:
  description: The lines dropped as volatile (secrets masked), in order.
  returned: success
  type: list
  elements: str
  sample: ["#conf_file_ver=1234567"]
stored_text:
  description: The text a backup would store, secrets masked.
  returned: success
  type: str
normalised_text:
  description: The text the change hash covers, volatile lines dropped and re-encrypted values constant.
  returned: success
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._check import check_output


def main() -> None:
    """Entry point."""
    module = AnsibleModule(argument_spec={
        "platform": {"type": "str", "required": True},
        "output_file": {"type": "path", "required": True},
        "platforms_file": {"type": "path"},
    }, supports_check_mode=True)
    try:
        result = check_output(module.params["platform"], module.params["output_file"], module.params["platforms_file"])
    except NetRavenError as error:
        module.fail_json(msg=str(error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
