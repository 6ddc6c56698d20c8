#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.device module: argument spec and docs; the work is in module_utils._manage._devices."""

from __future__ import annotations

DOCUMENTATION = r"""
module: device
short_description: Manage network devices in the NetRaven database
version_added: 0.1.0
description:
  - Create, update or delete a device that NetRaven backs up.
  - The hostname identifies the device. Options left out are not changed on an existing device,
    so the task is safe to re-run.
  - Input a backup would only trip over later is refused at once, with one line naming the culprit
    and nothing written. That covers a O(device_type) netmiko does not know (the message lists the
    close matches), an O(ip_address) that is not an IP address, a hostname (ignoring case) or address
    another device already has, an unknown tag or jump host, and telnet for a type without a telnet driver.
author:
  - NetRaven developers (@netraven)
options:
  hostname:
    description:
      - Name of the device; it identifies the device and becomes its inventory hostname.
      - At most 253 characters, without control characters, whitespace or commas.
      - It becomes a file name in the git export, so C(/), C(\), C(..) and a leading C(.) or C(-) are refused.
      - C(localhost), C(127.0.0.1) and C(::1) (any case) are refused, because they are Ansible's implicit localhost,
        where the backup playbook runs its job tasks. O(state=absent) still removes such a device.
    type: str
    required: true
    aliases: [name]
  ip_address:
    description:
      - IPv4 or IPv6 address to connect to; no other device may have it.
      - Required to create a device.
    type: str
  device_type:
    description:
      - Netmiko platform name, for example V(cisco_ios), V(arista_eos) or V(juniper_junos).
      - Required to create a device.
    type: str
  port:
    description:
      - SSH port. A new device gets V(22) when this is not set.
    type: int
  description:
    description:
      - Human-readable description.
    type: str
  enabled:
    description:
      - Whether backups include the device. A new device is enabled when this is not set.
    type: bool
  jump_host:
    description:
      - Name of the jump host (netraven.netraven.jump_host) the device is reached through. An empty string
        removes it, and the device is reached directly.
      - A new device is reached directly when this is not set.
      - The host variable C(netraven_jump_host) (from C(host_vars) or C(group_vars)) overrides it for a run.
    type: str
  transport:
    description:
      - V(ssh) or V(telnet). Telnet uses netmiko's telnet driver of O(device_type) (for example
        C(cisco_ios_telnet)) under the platform profile of O(device_type); a O(device_type) without a
        telnet driver is refused. Telnet sends the password in clear, and the job log warns about it once
        per device. A device never falls back from SSH to telnet by itself.
      - Telnet does not go through a jump host.
      - A new device uses V(ssh) when this is not set. The variable C(netraven_transport) overrides it for a run.
    type: str
    choices: [ssh, telnet]
  legacy_ssh:
    description:
      - Let this device (and no other) negotiate the SHA-1 key exchanges (C(diffie-hellman-group1-sha1),
        C(diffie-hellman-group14-sha1), C(diffie-hellman-group-exchange-sha1)), C(ssh-rsa) (SHA-1) host keys and
        CBC ciphers of older devices. Without it, a device that offers only those fails with C(FAILED_SSH) and a
        reason naming C(legacy_ssh).
      - A new device does not when this is not set. The variable C(netraven_legacy_ssh) overrides it for a run.
    type: bool
  state:
    description:
      - V(present) creates or updates the device.
      - V(absent) deletes it, together with its stored configurations, job results and logs.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - netraven.netraven.database
  - netraven.netraven.tagging
  - netraven.netraven.attributes
  - netraven.netraven.attributes.diff
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
requirements:
  - netmiko (to validate O(device_type))
seealso:
  - module: netraven.netraven.tag
  - module: netraven.netraven.credential
  - module: netraven.netraven.jump_host
"""

EXAMPLES = r"""
- name: A core switch in Paris
  netraven.netraven.device:
    hostname: par-core-1
    ip_address: 192.0.2.10
    device_type: cisco_ios
    tags: [site-paris, core]

- name: Add a tag without touching the others
  netraven.netraven.device:
    hostname: par-core-1
    tags: [pci]
    purge_tags: false

- name: Describe the estate from a variable, creating missing tags
  netraven.netraven.device:
    hostname: "{{ item.hostname }}"
    ip_address: "{{ item.ip }}"
    device_type: "{{ item.type }}"
    port: "{{ item.port | default(22) }}"
    tags: "{{ item.tags }}"
    create_tags: true
  loop: "{{ netraven_devices }}"

- name: An old switch reached through the Lyon bastion, with SHA-1 era SSH
  netraven.netraven.device:
    hostname: lyo-old-sw1
    ip_address: 10.20.0.5
    device_type: cisco_ios
    jump_host: lyon-bastion
    legacy_ssh: true
    tags: [site-lyon]

- name: A telnet-only terminal server
  netraven.netraven.device:
    hostname: par-ts-1
    ip_address: 10.10.0.9
    device_type: cisco_ios
    port: 23
    transport: telnet
    tags: [site-paris]

- name: Decommission a device
  netraven.netraven.device:
    hostname: old-router
    state: absent
"""

RETURN = r"""
device:
  description:
    - The device after the task (empty when O(state=absent)).
    - RV(device.id) is null for a device check mode would create.
  returned: always
  type: dict
  contains:
    id:
      description: Database id.
      type: int
      sample: 7
    hostname:
      description: Hostname.
      type: str
      sample: par-core-1
    ip_address:
      description: Address, in canonical form.
      type: str
      sample: 192.0.2.10
    device_type:
      description: Netmiko platform.
      type: str
      sample: cisco_ios
    port:
      description: SSH port.
      type: int
      sample: 22
    description:
      description: Description.
      type: str
    enabled:
      description: Whether backups include the device.
      type: bool
      sample: true
    tags:
      description: Tag names, sorted.
      type: list
      elements: str
      sample: [core, site-paris]
    last_seen:
      description: When a backup last reached the device (ISO 8601), or null.
      type: str
    last_credential_id:
      description: Id of the credential that last logged in, or null.
      type: int
    jump_host:
      description: Name of the jump host the device is reached through, or null.
      type: str
    transport:
      description: V(ssh) or V(telnet).
      type: str
      sample: ssh
    legacy_ssh:
      description: Whether the device may negotiate SHA-1 era SSH algorithms.
      type: bool
      sample: false
created_tags:
  description: Tags the task created (or would create in check mode) because of O(create_tags).
  returned: always
  type: list
  elements: str
  sample: [site-lyon]
"""

from typing import TYPE_CHECKING, Any, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._manage._devices import ensure_device
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import module_result
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule, Result


# The module and its action plugin (plugins/action/device.py, which runs handler in the controller's
# worker) share the spec, the rules and the handler.
ARGUMENT_SPEC = NetRavenModule.argspec(
    tagging=True,
    hostname={"type": "str", "required": True, "aliases": ["name"]},
    ip_address={"type": "str"},
    device_type={"type": "str"},
    port={"type": "int"},
    description={"type": "str"},
    enabled={"type": "bool"},
    jump_host={"type": "str"},
    transport={"type": "str", "choices": ["ssh", "telnet"]},
    legacy_ssh={"type": "bool"},
    state={"type": "str", "choices": ["present", "absent"], "default": "present"},
)
RULES: Dict[str, Any] = {}


def handler(mod: HandlerModule) -> Result:
    """The module's work, given a NetRavenModule or the action's InProcessModule."""
    params = mod.params
    result = ensure_device(
        mod.engine, params["hostname"], state=params["state"], ip_address=params["ip_address"],
        device_type=params["device_type"], port=params["port"], description=params["description"],
        enabled=params["enabled"], tags=params["tags"], purge_tags=params["purge_tags"],
        create_tags=params["create_tags"], check_mode=mod.check_mode, jump_host=params["jump_host"],
        transport=params["transport"], legacy_ssh=params["legacy_ssh"])
    return module_result(mod, result)


def main() -> None:
    """Entry point."""
    NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES).run(handler)


if __name__ == "__main__":
    main()
