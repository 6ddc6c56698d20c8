# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco ASA: more system:running-config, ends with ": end"; the checksum and "Written by" lines are volatile.

``show running-config`` prints ``*****`` for aaa-server keys, pre-shared keys, LDAP passwords and
the failover key: a backup of it cannot be restored, and a changed key is never seen. ``more
system:running-config`` prints them (in clear, or as ``8 <encrypted>`` with password encryption).
"""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._common import CISCO_LIKE_SECRETS
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="asa",
    device_types=("cisco_asa",),
    commands=("more system:running-config",),
    end=r"^: end$",
    volatile=(r"^: Saved\s*$", r"^: Written by .* at ", r"^Cryptochecksum:", r"^ntp clock-period "),
    secrets=CISCO_LIKE_SECRETS,
)
