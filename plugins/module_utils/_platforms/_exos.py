# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Extreme EXOS: show configuration; no end marker."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="exos",
    device_types=("extreme_exos",),
    commands=("show configuration",),
    comment="#",
    secrets=(
        r"(?<![\w-])encrypted (?:auth-key |priv-key )?(?P<secret>\"[^\"]*\"|\S+)",
        r"\b(?:shared-secret|community|auth-key|priv-key) (?!encrypted\b)(?P<secret>\"[^\"]*\"|\S+)",
        # the community's name repeats the community string
        r"\bsnmpv3 add community .*?\bname (?:encrypted )?(?P<secret>\"[^\"]*\"|\S+)",
        # snmpv3 add user ... authentication md5 auth-encrypted localized-key 7a:... privacy privacy-encrypted localized-key ...
        r"\blocalized-key (?P<secret>\S+)",
    ),
)
