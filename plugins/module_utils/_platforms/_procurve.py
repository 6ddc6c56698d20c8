# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HPE ProCurve / ArubaOS-Switch: show running-config; no end marker."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

_VALUE = r"(?P<secret>\"[^\"]*\"|\S+)"

PROFILE = Profile(
    name="procurve",
    device_types=("hp_procurve",),
    commands=("show running-config",),
    comment=";",
    volatile=(r"^Running configuration:\s*$",),
    secrets=(
        r"\b(?:sha1|plaintext|sha256) " + _VALUE,
        r"\bsnmp-server community " + _VALUE,
        # trap receivers: snmp-server host A community "X" (older releases: snmp-server host A "X")
        r"\bsnmp-server host \S+ (?:community )?(?P<secret>\"[^\"]*\")",
        r"\bsnmp-server host \S+ community (?P<secret>[^\"\s]\S*)",
        r"(?<![\w-])key " + _VALUE,
        # with encrypt-credentials on: radius-server host 192.0.2.5 encrypted-key "base64"
        r"\bencrypted-key " + _VALUE,
        r"\b(?:auth (?:md5|sha)|priv (?:des|aes)) " + _VALUE,
    ),
)
