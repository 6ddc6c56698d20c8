# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MikroTik RouterOS: /export show-sensitive (/export where refused); no end marker; the first comment is the time.

RouterOS 7's ``/export`` leaves secrets out, so its backup cannot be restored; ``show-sensitive``
keeps them. RouterOS 6 has no such option and prints them anyway.
"""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="routeros",
    device_types=("mikrotik_routeros",),
    commands=("/export show-sensitive",),
    fallbacks=(("/export show-sensitive", "/export"),),
    refused=r"^(?:expected end of command|bad command name|syntax error)",
    comment="#",
    volatile=(r"^# \S+ \d\d:\d\d:\d\d by RouterOS ", r"^# \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by RouterOS ",
              # state the export prints as comments, which comes and goes without a configuration change
              r"^\s*# poe-out status: ", r"^\s*# inactive time\s*$", r"^\s*# \S+ not ready\s*$",
              r"^\s*# Interface not (?:active|running)\s*$", r"^\s*# received packet from \S+ bad format\s*$"),
    # A long line goes on after a "\" at its end (even right after "secret="), indented on the next.
    continuation="\\",
    secrets=(
        # Every property named ...password, ...secret, ...passphrase or ...key (authentication-password=,
        # encryption-password=, tcp-md5-key=, ipsec-secret=, shared-secret=, wpa2-pre-shared-key=), but a
        # WireGuard peer's public-key= is public.
        r"(?<![\w-])(?!public-key=)(?:[\w-]*-)?(?:password|secret|passphrase|key)=(?P<secret>\"[^\"]*\"|\S+)",
        # /snmp set trap-community=X
        r"(?<![\w-])trap-community=(?P<secret>\"[^\"]*\"|\S+)",
    ),
    # An SNMP community's name is its secret; elsewhere name= is just a name.
    section_start=r"^/",
    section_secrets=((r"^/snmp community\b", (r"(?<![\w-])name=(?P<secret>\"[^\"]*\"|\S+)",)),),
)
