# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attributes of the modules that run where the database is (NetRavenModule), written once.

ansible.builtin.action_common_attributes and its actiongroups fragment describe the attributes;
this one says how the NetRaven modules support them. Ansible merges attributes key by key, and
the module's own ``attributes`` and then the first fragment listed keep a value. So a module
states only what differs (the details of its check mode), lists these fragments before the
builtin ones (whose ``membership: []`` and ``support: N/A`` would otherwise win), and takes diff
mode from exactly one of DIFF or NO_DIFF. The action-backed modules (backup, migrate) take ACTION
alone: they are not members of the action group and run per host, not only where the database is.
"""


class ModuleDocFragment:
    """DOCUMENTATION for every database module, with one of DIFF or NO_DIFF; READ_ONLY where it fits."""

    # Check mode full, POSIX controller, member of the action group.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    support: full
  platform:
    platforms: posix
  action_group:
    support: full
    membership:
      - netraven.netraven.netraven
notes:
  - Run it on the host that can reach the database, usually C(localhost).
"""

    # The modules whose --diff shows the change (device, credential, tag, config_info).
    DIFF = r"""
options: {}
attributes:
  diff_mode:
    support: full
"""

    # The modules without a diff.
    NO_DIFF = r"""
options: {}
attributes:
  diff_mode:
    support: none
"""

    # The modules an action plugin of the same name runs (backup, migrate): no async, one task per host.
    ACTION = r"""
options: {}
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  platform:
    platforms: posix
"""

    # The modules that only read (config_info, device_info).
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - The module only reads, so check mode returns the same result and changes nothing.
"""
