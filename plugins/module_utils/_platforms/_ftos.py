# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dell FTOS (Force10): show running-config, ends with "end"."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._common import CISCO_LIKE_SECRETS
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="ftos",
    device_types=("dell_force10",),
    commands=("show running-config",),
    end=r"^end$",
    volatile=(r"^! Last configuration change at ", r"^! Startup-config last updated at ", r"^Current Configuration ",
              r"^! Version "),
    secrets=CISCO_LIKE_SECRETS,
)
