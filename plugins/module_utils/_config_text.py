# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-platform handling of configuration text (DESIGN 5).

Like Oxidized's models, each platform knows:
- the command that prints its configuration;
- how a complete configuration ends (a session dropped mid-output must not be
  stored as if it were the device's configuration);
- which lines are volatile (timestamps, ``ntp clock-period``) and are dropped before
  hashing, so an unchanged device never looks changed;
- which values are secrets: they are masked in the stored text, keeping the line
  and replacing the value by a marker derived from it, so a changed secret still
  changes the configuration's hash.
"""

from __future__ import annotations

import hashlib
import re

MIN_CONFIG_BYTES = 64

_IOS_LIKE_VOLATILE = (
    r"^! Last configuration change at .*$",
    r"^! NVRAM config last updated at .*$",
    r"^! No configuration change since last restart.*$",
    r"^ntp clock-period \d+.*$",
    r"^Building configuration\.\.\.\s*$",
    r"^Current configuration ?: ?\d+ bytes\s*$",
    r"^! Time: .*$",
    r"^! Startup-config last modified at .*$",
    r"^! Command: show running-config.*$",
)

_IOS_LIKE_SECRETS = (
    # The secret is the line's last word: anchoring at $ keeps "secret 5 <hash>" from
    # matching the encryption type "5" as the value once the hash is masked.
    r"^(?P<keep>\s*username \S+ .*?\b(?:secret|password)(?: \d+)? )(?P<secret>\S+)\s*$",
    r"^(?P<keep>\s*enable (?:secret|password)(?: level \d+)?(?: \d+)? )(?P<secret>\S+)\s*$",
    r"^(?P<keep>\s*snmp-server community )(?P<secret>\S+)",
    r"^(?P<keep>\s*(?:tacacs-server|radius-server) (?:host \S+ )?key(?: \d+)? )(?P<secret>\S+)\s*$",
    r"^(?P<keep>\s*key(?: \d+)? )(?P<secret>\S+)\s*$",
    r"^(?P<keep>\s*(?:ip ospf|neighbor \S+) (?:authentication-key|password)(?: \d+)? )(?P<secret>\S+)\s*$",
    r"^(?P<keep>\s*(?:password|secret)(?: \d+)? )(?P<secret>\S+)\s*$",
    r"^(?P<keep>\s*(?:ip ospf message-digest-key \d+ md5|ntp authentication-key \d+ md5)(?: \d+)? )(?P<secret>\S+)\s*$",
    r"^(?P<keep>\s*wpa-psk ascii(?: \d+)? )(?P<secret>\S+)\s*$",
)

_JUNOS_VOLATILE = (
    r"^## Last commit: .*$",
    r"^## Last changed: .*$",
    r"^## Image name: .*$",
)

_JUNOS_SECRETS = (
    r'\b(?:encrypted-password|secret|authentication-key|pre-shared-key ascii-text|simple-password|hello-authentication-key) '
    r'(?P<secret>"[^"]*"|[^;\s]+)',
    r'^\s*community (?P<secret>"[^"]*"|[^;\s{]+)',
)


class Platform:
    """Everything the backup needs to know about one netmiko device_type."""

    def __init__(self, name, command, terminator, volatile, secrets):
        self.name = name
        self.command = command
        self.terminator = terminator
        self._volatile = [re.compile(p) for p in volatile]
        # A value already masked is never masked again, whichever pattern meets it next.
        self._secrets = [re.compile(p.replace("(?P<secret>", "(?P<secret>(?!<secret:)"), re.MULTILINE) for p in secrets]

    def is_complete(self, text: str) -> bool:
        """True when the output is a whole configuration, not a session cut short."""
        body = text.strip()
        if len(body.encode("utf-8", "replace")) < MIN_CONFIG_BYTES:
            return False
        if self.terminator == "end":
            last = body.splitlines()[-1].strip()
            return last == "end"
        if self.terminator == "braces":
            return _braces_balance(body) and body.rstrip().endswith("}")
        return True

    def normalise(self, text: str) -> str:
        """The configuration without volatile lines and trailing blanks: what the hash covers."""
        lines = []
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            line = line.rstrip()
            if any(pattern.match(line) for pattern in self._volatile):
                continue
            lines.append(line)
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        return "\n".join(lines) + "\n"

    def mask_secrets(self, text: str) -> str:
        """Replace secret values by ``<secret:xxxxxxxxxx>`` (a short hash of the value)."""
        for pattern in self._secrets:
            text = pattern.sub(_mask_match, text)
        return text


def _mask_match(match):
    whole, start = match.group(0), match.start(0)
    return whole[:match.start("secret") - start] + secret_marker(match.group("secret")) + whole[match.end("secret") - start:]


def secret_marker(value: str) -> str:
    """A stand-in that hides a secret value yet changes whenever the value changes."""
    return "<secret:%s>" % hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:10]


def _braces_balance(text: str) -> bool:
    depth = 0
    in_quote = False
    for char in text:
        if char == '"':
            in_quote = not in_quote
        elif not in_quote:
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth < 0:
                    return False
    return depth == 0


_IOS = ("show running-config", "end", _IOS_LIKE_VOLATILE, _IOS_LIKE_SECRETS)

PLATFORMS = {
    "cisco_ios": Platform("cisco_ios", *_IOS),
    "cisco_xe": Platform("cisco_xe", *_IOS),
    "cisco_nxos": Platform("cisco_nxos", "show running-config", None, _IOS_LIKE_VOLATILE, _IOS_LIKE_SECRETS),
    "cisco_xr": Platform("cisco_xr", "show running-config", "end", _IOS_LIKE_VOLATILE, _IOS_LIKE_SECRETS),
    "arista_eos": Platform("arista_eos", *_IOS),
    "juniper_junos": Platform("juniper_junos", "show configuration", "braces", _JUNOS_VOLATILE, _JUNOS_SECRETS),
    "juniper": Platform("juniper", "show configuration", "braces", _JUNOS_VOLATILE, _JUNOS_SECRETS),
}

GENERIC = Platform("generic", "show running-config", None, _IOS_LIKE_VOLATILE, _IOS_LIKE_SECRETS)


def platform_for(device_type: str) -> Platform:
    """The Platform for a netmiko device_type (a generic IOS-like one when unknown)."""
    return PLATFORMS.get(device_type, GENERIC)


def config_hash(normalised: str) -> str:
    """sha256 hex of the normalised (and masked) configuration."""
    return hashlib.sha256(normalised.encode("utf-8", "replace")).hexdigest()


def clean_output(text: str) -> str:
    """Device output as storable text: no NUL or other control bytes but tab and newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
