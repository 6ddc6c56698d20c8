#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.tag module: argument spec and docs; the work is in module_utils._manage._tags."""

from __future__ import annotations

DOCUMENTATION = r"""
module: tag
short_description: Manage tags in the NetRaven database
version_added: 0.1.0
description:
  - Create, update or delete a tag in the NetRaven database.
  - Tags group devices and credentials; a credential is tried on every device it shares a tag with.
  - Options left out are not changed on an existing tag, so the task is safe to re-run.
author:
  - NetRaven developers (@netraven)
options:
  name:
    description:
      - Name of the tag; it identifies the tag.
      - It becomes a folder name in the git export's tag layout, so C(/), C(\), C(..), control characters and a
        leading C(.) or C(-) are refused (also for tags that O(netraven.netraven.device#module:create_tags) creates).
        O(state=absent) still removes such a tag.
    type: str
    required: true
  type:
    description:
      - Free-form kind of the tag, for example V(site) or V(role) (at most 50 characters).
    type: str
  description:
    description:
      - Human-readable description.
    type: str
  state:
    description:
      - V(present) creates or updates the tag.
      - V(absent) deletes it and detaches it from every device, credential and job that carried it.
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
- name: A site tag
  netraven.netraven.tag:
    name: site-paris
    type: site
    description: Paris data centre

- name: Remove a tag that is no longer used
  netraven.netraven.tag:
    name: legacy
    state: absent
"""

RETURN = r"""
tag:
  description: The tag after the task (empty when O(state=absent)); RV(tag.id) is null for a tag check mode would create.
  returned: always
  type: dict
  contains:
    id:
      description: Database id.
      type: int
      sample: 3
    name:
      description: Tag name.
      type: str
      sample: site-paris
    type:
      description: Kind of tag.
      type: str
      sample: site
    description:
      description: Description.
      type: str
      sample: Paris data centre
detached:
  description: How many devices, credentials and jobs carried the deleted tag.
  returned: when O(state=absent) deleted a tag
  type: dict
  sample: {"devices": 12, "credentials": 2, "jobs": 1}
"""

from typing import TYPE_CHECKING, Any, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._manage._tags import ensure_tag
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import module_result
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule, Result


# The module and its action plugin (plugins/action/tag.py, which runs handler in the controller's
# worker) share the spec, the rules and the handler.
ARGUMENT_SPEC = NetRavenModule.argspec(
    name={"type": "str", "required": True},
    type={"type": "str"},
    description={"type": "str"},
    state={"type": "str", "choices": ["present", "absent"], "default": "present"},
)
RULES: Dict[str, Any] = {}


def handler(mod: HandlerModule) -> Result:
    """The module's work, given a NetRavenModule or the action's InProcessModule."""
    params = mod.params
    result = ensure_tag(mod.engine, params["name"], state=params["state"], type=params["type"],
                        description=params["description"], check_mode=mod.check_mode)
    return module_result(mod, result)


def main() -> None:
    """Entry point."""
    NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES).run(handler)


if __name__ == "__main__":
    main()
