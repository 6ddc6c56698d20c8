#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.jump_host module: argument spec and docs; the work is in module_utils._manage._jump_hosts."""

from __future__ import annotations

DOCUMENTATION = r"""
module: jump_host
short_description: Manage the SSH jump hosts (bastions) devices are reached through
version_added: 0.1.0
description:
  - Create, update or delete a jump host in the NetRaven database. A device with
    O(netraven.netraven.device#module:jump_host) set is reached through it. The backup logs in to the jump host
    with the jump host's own credential and opens the device's SSH session through it (an SSH
    C(direct-tcpip) channel, as C(ssh -J) does).
  - A jump host can itself be reached through another one (O(via)), to any depth; a loop is refused.
  - The jump host's SSH host key is checked like a device's (C(host_key_checking), C(known_hosts_file) of the
    backup). A jump host that is down or refuses its own login fails its devices at once, the reason naming
    the jump host, and no device credential is tried.
  - The name identifies the jump host. Options left out are not changed on an existing one, so the task is
    safe to re-run.
author:
  - NetRaven developers (@netraven)
options:
  name:
    description:
      - Name of the jump host; it identifies it, and devices name it in their O(netraven.netraven.device#module:jump_host).
    type: str
    required: true
  host:
    description:
      - Address or DNS name of the jump host, as the controller (or the previous jump host, with O(via)) reaches it.
      - Required to create a jump host.
    type: str
  port:
    description:
      - SSH port. A new jump host gets V(22) when this is not set.
    type: int
  credential:
    description:
      - Name of the credential (netraven.netraven.credential) that logs in to the jump host, by password or key.
        It is not tried on devices unless it also shares a tag with them.
      - Required to create a jump host.
    type: str
  via:
    description:
      - Name of another jump host this one is reached through, for one more hop. An empty string removes it.
    type: str
  state:
    description:
      - V(present) creates or updates the jump host.
      - V(absent) deletes it. A jump host that devices or other jump hosts go through is not deleted; the
        message names them.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - netraven.netraven.database
  - netraven.netraven.attributes
  - netraven.netraven.attributes.diff
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
seealso:
  - module: netraven.netraven.device
  - module: netraven.netraven.credential
"""

EXAMPLES = r"""
- name: The Paris bastion, with a login of its own
  netraven.netraven.jump_host:
    name: paris-bastion
    host: bastion.par.example.com
    credential: paris-bastion-login

- name: A bastion inside the Lyon site, reached through the Paris one
  netraven.netraven.jump_host:
    name: lyon-inner
    host: 10.20.0.2
    port: 2222
    credential: lyon-inner-login
    via: paris-bastion

- name: Send a device through it
  netraven.netraven.device:
    hostname: lyo-core-1
    jump_host: lyon-inner

- name: Retire a jump host (refused while devices still use it)
  netraven.netraven.jump_host:
    name: lyon-inner
    state: absent
"""

RETURN = r"""
jump_host:
  description:
    - The jump host after the task (empty when O(state=absent)).
    - RV(jump_host.id) is null for a jump host check mode would create.
  returned: always
  type: dict
  contains:
    id:
      description: Database id.
      type: int
      sample: 3
    name:
      description: Name.
      type: str
      sample: paris-bastion
    host:
      description: Address or DNS name.
      type: str
      sample: bastion.par.example.com
    port:
      description: SSH port.
      type: int
      sample: 22
    credential:
      description: Name of the credential that logs in to it.
      type: str
      sample: paris-bastion-login
    via:
      description: Name of the jump host it is reached through, or null.
      type: str
"""

from typing import TYPE_CHECKING, Any, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._manage._jump_hosts import ensure_jump_host
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import module_result
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule, Result

# The module and its action plugin (plugins/action/jump_host.py, which runs handler in the controller's
# worker) share the spec, the rules and the handler.
ARGUMENT_SPEC = NetRavenModule.argspec(
    name={"type": "str", "required": True},
    host={"type": "str"},
    port={"type": "int"},
    credential={"type": "str"},
    via={"type": "str"},
    state={"type": "str", "choices": ["present", "absent"], "default": "present"},
)
RULES: Dict[str, Any] = {}


def handler(mod: HandlerModule) -> Result:
    """The module's work, given a NetRavenModule or the action's InProcessModule."""
    params = mod.params
    result = ensure_jump_host(mod.engine, params["name"], host=params["host"], port=params["port"],
                              credential=params["credential"], via=params["via"], state=params["state"],
                              check_mode=mod.check_mode)
    return module_result(mod, result)


def main() -> None:
    """Entry point."""
    NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES).run(handler)


if __name__ == "__main__":
    main()
