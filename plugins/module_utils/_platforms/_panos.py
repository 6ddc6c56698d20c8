# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Palo Alto PAN-OS: show config running, curly braces balanced; -AQ== values are re-encrypted."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="panos",
    device_types=("paloalto_panos",),
    commands=("show config running",),
    end="braces",
    blocks="braces",
    comment="#",
    secrets=(
        r"\b(?:phash|password|secret|pre-shared-key|key|authkey|auth-password|priv-password|community|"
        r"bind-password|passphrase|snmp-community-string|auth-pwd|priv-pwd) (?P<secret>\"[^\"]*\"|[^;\s{]+)",
    ),
    reencrypted=(r"\b(?:[\w-]+) (?P<secret>\"?-AQ==[^;\s\"]*\"?)",),
)
