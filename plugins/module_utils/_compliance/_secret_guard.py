# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules see masked text only, and a rule that tests a secret's value is refused (docs/compliance.md).

What a rule sees: the stored configuration, masked by the backup, with every keyed marker
``<secret:0123456789abcdef>`` (an HMAC of the value) turned into the plain ``<secret>``. The
markers of re-encrypted values stay ``<secret:encrypted>``, which carries no value either. So
no rule, whatever its regex, can tell two values of a secret apart: not even whether two
devices share one. The sealed original is never opened.

What "tests a secret's value" means, and is refused, in one line naming the rule and field:
1. Reaching inside a marker: a pattern or line holding ``secret:`` followed by anything but
   ``encrypted`` (say ``<secret:3f2a`` copied from a stored text). Markers are opaque.
2. Naming a value where the platform keeps a secret: the rule's text, read as configuration,
   has a value in a position that the platform profile's secret rules mask (``snmp-server
   community public``, ``enable secret 5 $1$...``, ``set psksecret x``). In a regex, only a
   wildcard that also matches ``<secret>`` may stand there (``\\S+``, ``.*``, ``[^ ]+``);
   ``\\d+`` or ``(public|private)`` constrain the value and are refused. Write ``<secret>``
   where the value goes in an intended line. The profiles are those of the rule's
   ``platforms``, or of the devices the call evaluates when the rule has none.
Such a rule could never match masked text anyway, so refusing it also spares a
``must_not_contain`` that would always pass and give false assurance.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._masker import KEYED_MARKER, PEM_BEGIN, REENCRYPTED_MARKER, UNKEYED_MARKER
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

_INSIDE_MARKER = re.compile(r"secret:(?!encrypted)", re.IGNORECASE)
# A regex read as configuration text: the anchors at its ends go, escaped punctuation is the character.
_LEADING_ANCHORS = re.compile(r"^(?:\^|\\A)+")
_TRAILING_ANCHORS = re.compile(r"(?:\$|\\Z|\\z)+$")
_ESCAPED_CHARACTER = re.compile(r"\\([^A-Za-z0-9])")
# Appended to a rule's text, so that a value position the rule leaves open reads as a masked value.
_OPEN_VALUE = " " + UNKEYED_MARKER
_SHOWN = 120


def canonical_markers(text: str) -> str:
    """The text a rule sees: every keyed marker replaced by the plain <secret>."""
    return KEYED_MARKER.sub(UNKEYED_MARKER, text) if "<secret:" in text else text


def _compiled_rules(profile: Profile, section_patterns: Sequence[str]) -> Tuple["re.Pattern[str]", ...]:
    """The profile's secret rules that apply to a rule: its line rules, and those of a section the rule selects."""
    patterns = list(profile.secrets) + list(profile.reencrypted)
    for header, rules in profile.section_secrets:
        if any(re.search(header, literal_text(pattern)) for pattern in section_patterns):
            patterns.extend(rules)
    return tuple(_compile(pattern) for pattern in patterns)


_CACHE: Dict[str, "re.Pattern[str]"] = {}


def _compile(pattern: str) -> "re.Pattern[str]":
    compiled = _CACHE.get(pattern)
    if compiled is None:
        compiled = _CACHE[pattern] = re.compile(pattern)
    return compiled


def literal_text(pattern: str) -> str:
    """A regex read as the configuration line it describes: end anchors dropped, escapes resolved."""
    text = _TRAILING_ANCHORS.sub("", _LEADING_ANCHORS.sub("", pattern))
    return _ESCAPED_CHARACTER.sub(r"\1", text)


def _matches_a_marker(fragment: str) -> bool:
    """True for a regex fragment that accepts the masked value whatever it stood for (a wildcard)."""
    try:
        return re.fullmatch(fragment, UNKEYED_MARKER) is not None
    except re.error:
        return False


def _shown(text: str, value: str, profile: Profile) -> str:
    """The culprit as a message may show it: the value found, and anything else the profile masks, as <secret>."""
    masked = profile.mask_secrets(text.replace(value, UNKEYED_MARKER))
    return masked if len(masked) <= _SHOWN else masked[:_SHOWN] + "..."


def _named_value(text: str, rules: Iterable["re.Pattern[str]"], regex_field: bool) -> Optional[str]:
    """The value ``text`` names where a secret goes, or None when every such position holds a marker."""
    probe = text.rstrip() + _OPEN_VALUE
    for rule in rules:
        for match in rule.finditer(probe):
            value = match.group("secret")
            if not value or value.startswith("<secret") or value.strip('"').startswith("<secret"):
                continue
            if regex_field and _matches_a_marker(value):
                continue
            return value
    return None


def check_text(what: str, text: str, regex_field: bool, profiles: Sequence[Profile],
               section_patterns: Sequence[str] = ()) -> None:
    """Refuse ``text`` (a rule's regex or intended line), in one line naming ``what``, when it tests a secret's value."""
    if _INSIDE_MARKER.search(text.replace("\\", "")):
        raise ValidationError(
            "%s reaches inside a masking marker ('secret:...'): rules see every masked secret as %s (and %s), so a "
            "rule cannot test a secret's value" % (what, UNKEYED_MARKER, REENCRYPTED_MARKER))
    probe = literal_text(text) if regex_field else text
    begin = PEM_BEGIN.search(probe)
    if begin and not probe[begin.end():].startswith("<secret"):
        raise ValidationError("%s holds a private key: the stored configuration keeps it masked as %s"
                              % (what, REENCRYPTED_MARKER))
    for profile in profiles:
        value = _named_value(probe, _compiled_rules(profile, section_patterns), regex_field)
        if value is not None:
            raise ValidationError(
                "%s tests a secret's value ('%s' where %s keeps a secret masked): write %s there%s" % (
                    what, _shown(probe, value, profile), profile.name, UNKEYED_MARKER,
                    ", or a wildcard such as \\S+" if regex_field else ""))


def check_lines(what: str, lines: List[str], profiles: Sequence[Profile], section_patterns: Sequence[str] = ()) -> None:
    """check_text for each intended line, naming the line by its number."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            check_text("%s line %d" % (what, number), line.strip(), False, profiles, section_patterns)
