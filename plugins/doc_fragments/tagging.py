# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the device and credential modules apply their O(tags) (matches TAGGING_ARGSPEC)."""


class ModuleDocFragment:
    """Options purge_tags and create_tags, shared by netraven.netraven.device and netraven.netraven.credential."""

    DOCUMENTATION = r"""
options:
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
