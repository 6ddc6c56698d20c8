# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MikroTik RouterOS: /export; no end marker; the first comment line is the export time."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="routeros",
    device_types=("mikrotik_routeros",),
    commands=("/export",),
    comment="#",
    volatile=(r"^# \S+ \d\d:\d\d:\d\d by RouterOS ", r"^# \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by RouterOS "),
    secrets=(
        r"(?<![\w-])(?:password|secret|authentication-key|wpa-pre-shared-key|wpa2-pre-shared-key|passphrase|"
        r"private-key|preshared-key|auth-key|priv-key|key)=(?P<secret>\"[^\"]*\"|\S+)",
    ),
    # An SNMP community's name is its secret; elsewhere name= is just a name.
    section_start=r"^/",
    section_secrets=((r"^/snmp community\b", (r"(?<![\w-])name=(?P<secret>\"[^\"]*\"|\S+)",)),),
)
