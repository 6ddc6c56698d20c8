# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fortinet FortiOS: show | grep ., ends with "end"; ENC values and private keys change on every read.

The session leaves the console as it is (``keep_terminal``: netmiko would set ``config system
console`` / ``set output standard`` at login and back at logout, two configuration changes per
backup that a read-only administrator cannot even make), and ``show | grep .`` pages nothing.
"""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="fortios",
    device_types=("fortinet",),
    commands=("show | grep .",),
    keep_terminal=True,
    end=r"^end$",
    blocks="fortios",
    comment="#",
    volatile=(r"^#conf_file_ver=", r"^#config-version=", r"^#buildno=", r"^#global_vdom="),
    secrets=(
        r"\bset (?:password|passwd|psksecret|secret|key|auth-pwd|priv-pwd|community|sso-password|"
        r"passphrase|ppk-secret|authentication-key|md5-key|auth-password|private-key-password|wifi-passphrase|"
        r"radius-secret) (?!ENC )(?P<secret>\"[^\"]*\"|\S+)",
        # An admin's password is a salted hash (ENC SH2...), the same on every read: it changes only with the password.
        r"\bset \S+ ENC (?P<secret>SH2\S+)",
        # The header of a FortiGate with a private data encryption key
        r"^#private-encryption-key=(?P<secret>.+)",
    ),
    # Every other ENC value is encrypted with a fresh IV on every read.
    reencrypted=(r"\bset \S+ ENC (?!SH2)(?P<secret>\S+)",),
    # An SNMP v1/v2c community's name is its secret.
    section_start=r"^\s*config ",
    section_secrets=((r"^\s*config system snmp community\b", (r"\bset name (?P<secret>\"[^\"]*\"|\S+)",)),),
)
