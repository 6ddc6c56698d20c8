# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tags options of the device and credential modules (TAGGING_ARGSPEC in module_utils._module_base)."""


class ModuleDocFragment:
    """Options tags, purge_tags and create_tags, shared by netraven.netraven.device and netraven.netraven.credential."""

    DOCUMENTATION = r"""
options:
  tags:
    description:
      - Names of the tags the device or credential carries. A credential is tried on every device that
        shares one of its tags.
      - With O(purge_tags=true) these become the object's only tags (an empty list removes them all);
        with O(purge_tags=false) they are added to the tags it has.
      - Not set, the tags are left as they are.
      - An unknown tag is an error unless O(create_tags=true). In check mode it is only a warning,
        since an earlier M(netraven.netraven.tag) task of the playbook would have created it.
    type: list
    elements: str
  purge_tags:
    description:
      - Whether O(tags) replaces the object's tags (V(true)) or adds to them (V(false)).
    type: bool
    default: true
  create_tags:
    description:
      - Create the tags of O(tags) that do not exist yet (with no type or description),
        instead of failing.
    type: bool
    default: false
"""
