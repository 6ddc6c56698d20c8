# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the backup knows about one platform: a Profile (see docs/platforms.md).

Every rule runs on one line at a time, so masking and normalisation stay linear in the
size of the text whatever it holds (20k blank lines, a 5 MB configuration).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Optional, Sequence, Tuple

MIN_CONFIG_BYTES = 64
# A value the device prints differently on every read (FortiOS ENC, PAN-OS -AQ==, PEM keys):
# one constant marker, so re-encryption never looks like a change.
REENCRYPTED_MARKER = "<secret:encrypted>"
UNKEYED_MARKER = "<secret>"
_ALREADY_MASKED = "(?!<secret)"
PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY-----")


def _compile(patterns: Sequence[str], secret: bool = False) -> Tuple[re.Pattern, ...]:
    if secret:
        patterns = [p.replace("(?P<secret>", "(?P<secret>" + _ALREADY_MASKED) for p in patterns]
    return tuple(re.compile(p) for p in patterns)


@dataclass
class Profile:
    """One platform's commands, completeness rule, volatile lines and secret rules.

    ``end`` is how a complete configuration ends: a regex the last non-blank line must match,
    ``"braces"`` (balanced, JunOS/PAN-OS style) or None (only a minimum size).
    ``secrets`` and ``reencrypted`` are regexes with a named group ``secret`` (the value).
    """

    name: str
    device_types: Tuple[str, ...]
    commands: Tuple[str, ...]
    end: Optional[str] = None
    pre_commands: Tuple[str, ...] = ()
    facts: Tuple[str, ...] = ()
    fact_volatile: Tuple[str, ...] = ()
    comment: str = "!"
    volatile: Tuple[str, ...] = ()
    secrets: Tuple[str, ...] = ()
    reencrypted: Tuple[str, ...] = ()
    # Secrets that only a section tells apart (RouterOS ``/snmp community`` ... ``name=X``, FortiOS
    # ``config system snmp community`` ... ``set name X``): a line matching ``section_start`` opens a
    # section; the rules of the header it matches apply to it and to every line until the next section
    # starts at the same or a shallower indentation.
    section_start: Optional[str] = None
    section_secrets: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    _volatile: Tuple[re.Pattern, ...] = field(init=False, repr=False)
    _fact_volatile: Tuple[re.Pattern, ...] = field(init=False, repr=False)
    _secrets: Tuple[re.Pattern, ...] = field(init=False, repr=False)
    _reencrypted: Tuple[re.Pattern, ...] = field(init=False, repr=False)
    _end: Optional[re.Pattern] = field(init=False, repr=False)
    _section_start: Optional[re.Pattern] = field(init=False, repr=False)
    _sections: Tuple[Tuple[re.Pattern, Tuple[re.Pattern, ...]], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._volatile = _compile(self.volatile)
        self._fact_volatile = _compile(self.fact_volatile)
        self._secrets = _compile(self.secrets, secret=True)
        self._reencrypted = _compile(self.reencrypted, secret=True)
        self._end = re.compile(self.end) if self.end and self.end != "braces" else None
        self._section_start = re.compile(self.section_start) if self.section_start else None
        self._sections = tuple((re.compile(header), _compile(rules, secret=True))
                               for header, rules in self.section_secrets)

    @property
    def command(self) -> str:
        """The configuration command(s) as one string, for metadata and messages."""
        return "; ".join(self.commands)

    def is_complete(self, text: str) -> bool:
        """True when the output is a whole configuration, not a session cut short."""
        body = text.strip()
        if len(body.encode("utf-8", "replace")) < MIN_CONFIG_BYTES:
            return False
        if self.end == "braces":
            return _braces_balance(body) and body.endswith("}")
        if self._end is not None:
            return bool(self._end.match(body.rsplit("\n", 1)[-1].strip()))
        return True

    def facts_block(self, outputs: Sequence[str]) -> str:
        """Fact command outputs as comment lines for the top of the stored text, volatile parts dropped."""
        lines = []
        for command, output in zip(self.facts, outputs):
            lines.append("%s %s" % (self.comment, command))
            for line in output.replace("\r", "").split("\n"):
                line = line.rstrip()
                if line and not any(p.search(line) for p in self._fact_volatile):
                    lines.append("%s %s" % (self.comment, line))
        return "\n".join(lines) + "\n" if lines else ""

    def normalise(self, text: str) -> str:
        """What the hash covers: no volatile lines, re-encrypted values constant, no edge blanks."""
        lines = []
        for line in _reencrypted_lines(self, text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
            line = line.rstrip()
            if any(pattern.match(line) for pattern in self._volatile):
                continue
            lines.append(line)
        while lines and not lines[-1]:
            lines.pop()
        start = 0
        while start < len(lines) and not lines[start]:
            start += 1
        return "\n".join(lines[start:]) + "\n"

    def mask_secrets(self, text: str, key: Optional[bytes] = None) -> str:
        """Replace secret values by markers, line by line.

        With ``key`` the marker is ``<secret:HMAC>`` and changes whenever the value does;
        without it (session logs) it is a plain ``<secret>``. Re-encrypted values always get
        the constant ``<secret:encrypted>``.
        """
        marker = _keyed_marker(key) if key else (lambda value: UNKEYED_MARKER)
        out = []
        in_section: Tuple[re.Pattern, ...] = ()
        section_indent = -1
        for line in _reencrypted_lines(self, text.split("\n")):
            indent = len(line) - len(line.lstrip())
            # A deeper section (FortiOS "config hosts" inside a community) stays within its parent.
            if self._section_start is not None and self._section_start.match(line) and (
                    not in_section or indent <= section_indent):
                in_section = next((rules for header, rules in self._sections if header.match(line)), ())
                section_indent = indent
            if "<secret" in line:
                # Already masked (a stored text, or a re-encrypted value): masking again would
                # take the next word ("5" of "secret 5 <secret:..>") for the value.
                out.append(line)
                continue
            out.append(_mask_line(line, self._secrets + in_section, marker))
        return "\n".join(out)


def _reencrypted_lines(profile: Profile, lines):
    """Lines with re-encrypted values and PEM private keys (their body) replaced by one constant marker."""
    in_key = False
    for line in lines:
        if in_key:
            if PEM_END.search(line):
                in_key = False
                yield line[PEM_END.search(line).start():]
            continue
        if PEM_BEGIN.search(line):
            begin = PEM_BEGIN.search(line)
            if not PEM_END.search(line, begin.end()):
                in_key = True
                yield line[:begin.end()] + REENCRYPTED_MARKER
                continue
            end = PEM_END.search(line, begin.end())
            line = line[:begin.end()] + REENCRYPTED_MARKER + line[end.start():]
        for pattern in profile._reencrypted:  # pylint: disable=protected-access
            line = pattern.sub(lambda m: _replace(m, lambda value: REENCRYPTED_MARKER), line)
        yield line


def _mask_line(line: str, patterns, marker) -> str:
    """Every rule's values found on the original line, replaced once each (an earlier span wins an overlap).

    Rules see the line as the device printed it, so one rule's marker never makes
    another take the next word for the value.
    """
    spans = []
    for pattern in patterns:
        for match in pattern.finditer(line):
            start, end = match.span("secret")
            if end > start and not any(start < e and s < end for s, e in spans):
                spans.append((start, end))
    if not spans:
        return line
    parts, last = [], 0
    for start, end in sorted(spans):
        parts.append(line[last:start])
        parts.append(marker(line[start:end]))
        last = end
    parts.append(line[last:])
    return "".join(parts)


def _replace(match: re.Match, marker) -> str:
    whole, start = match.group(0), match.start(0)
    return whole[:match.start("secret") - start] + marker(match.group("secret")) + whole[match.end("secret") - start:]


def _keyed_marker(key: bytes):
    def marker(value: str) -> str:
        return "<secret:%s>" % hmac.new(key, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:16]
    return marker


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
    return depth == 0 and not in_quote
