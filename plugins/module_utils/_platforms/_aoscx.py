# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ArubaOS-CX: show running-config; no end marker."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

_VALUE = r"(?P<secret>\"[^\"]*\"|\S+)"

PROFILE = Profile(
    name="aoscx",
    device_types=("aruba_aoscx",),
    commands=("show running-config",),
    volatile=(r"^Current configuration:\s*$",),
    secrets=(
        r"\b(?:ciphertext|plaintext) " + _VALUE,
        r"\bsnmp-server community " + _VALUE,
        # "snmp-server host A trap version v2c community X"
        r"\bsnmp-server host \S+ .*?\bcommunity (?:ciphertext |plaintext )?" + _VALUE,
        r"\b(?:auth (?:md5|sha)|priv (?:des|aes)) auth-pass " + _VALUE,
    ),
)
