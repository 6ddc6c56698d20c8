# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei VRP: display current-configuration, ends with "return"; VRP8 may print a timestamp line first."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="vrp",
    device_types=("huawei", "huawei_vrp"),
    commands=("display current-configuration",),
    end=r"^return$",
    comment="#",
    volatile=(r"^!Last configuration was (?:updated|saved) at ", r"^!Software Version ",
              r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: ?[+-]\d\d:\d\d)?(?: DST)?\s*$"),
    secrets=(
        # A %^%#...%^%# (or %@%@, %$%$) ciphertext is reversible wherever it stands, with or without "cipher"
        # before it; first, so that a value holding a space is masked whole.
        r"(?P<secret>%\^%#.*?%\^%#|%@%@.*?%@%@|%\$%\$.*?%\$%\$)",
        r"\b(?:cipher|irreversible-cipher|simple|shared-key(?: cipher)?|password) (?!cipher\b|irreversible-cipher\b|simple\b)"
        r"(?P<secret>\S+)",
        r"\bcommunity (?:read|write) (?:cipher )?(?P<secret>\S+)",
        # WLAN: "security wpa2 psk pass-phrase X aes"
        r"\bpass-phrase (?:cipher |simple )?(?P<secret>\S+)",
    ),
)
