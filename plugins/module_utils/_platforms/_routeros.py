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
        # Every property named ...password, ...secret, ...passphrase or ...key (authentication-password=,
        # encryption-password=, tcp-md5-key=, ipsec-secret=, shared-secret=, wpa2-pre-shared-key=), but a
        # WireGuard peer's public-key= is public.
        r"(?<![\w-])(?!public-key=)(?:[\w-]*-)?(?:password|secret|passphrase|key)=(?P<secret>\"[^\"]*\"|\S+)",
    ),
    # An SNMP community's name is its secret; elsewhere name= is just a name.
    section_start=r"^/",
    section_secrets=((r"^/snmp community\b", (r"(?<![\w-])name=(?P<secret>\"[^\"]*\"|\S+)",)),),
)
