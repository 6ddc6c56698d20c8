# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco IOS and IOS-XE: show running-config view full (show running-config where refused), ends with "end"."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._common import CISCO_LIKE_SECRETS
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

# Clear-text values IOS prints as typed, spaces included: they run to the end of the line (or, in a
# C9800 "mgmtuser username U password 0 P W secret 0 S T", to the next password/secret). Tried before
# the Cisco-like rules, which would mask the first word only.
_CLEAR_TEXT_TO_THE_END = (
    r"(?<![\w-])(?:password|secret) 0 (?P<secret>\S.*?)(?= (?:password|secret) \d+ |\s*$)",
    # C9800 WLAN: "security wpa psk set-key ascii 0 KEY" / "set-key hex 0 KEY"
    r"\bset-key (?:ascii|hex) \d+ (?P<secret>\S.*?)\s*$",
)

PROFILE = Profile(
    name="ios",
    device_types=("cisco_ios", "cisco_xe"),
    # "view full": an account at an intermediate privilege level gets the whole configuration, not
    # the part its level may change (which still ends in "end"). Devices without it get the plain command.
    commands=("show running-config view full",),
    fallbacks=(("show running-config view full", "show running-config"),),
    refused=r"^% (?:Invalid input|Incomplete command|Ambiguous command|Unknown command)|^Command authorization failed",
    end=r"^end$",
    facts=("show version",),
    # IOS-XE also prints the control processor's uptime, and a stack each member's.
    fact_volatile=(r"\buptime is\b", r"^Uptime for this control processor is ", r"^\s*Switch uptime\s*:",
                   r"^System restarted at", r"^System returned to ROM", r"^Last reload",
                   r"[Cc]onfiguration register is .* at next reload"),
    volatile=(
        r"^! Last configuration change at ",
        r"^! NVRAM config last updated at ",
        r"^! No configuration change since last restart",
        r"^ntp clock-period \d+",
        r"^Building configuration\.\.\.\s*$",
        r"^Current configuration ?: ?\d+ bytes\s*$",
    ),
    # MPLS-TE auto-bandwidth rewrites the tunnel's bandwidth line as the traffic moves.
    block_volatile=((r"^\s+tunnel mpls traffic-eng bandwidth\b", r"^\s+tunnel mpls traffic-eng auto-bw\b"),),
    secrets=_CLEAR_TEXT_TO_THE_END + CISCO_LIKE_SECRETS,
)
