# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One masking pass over a device's output, fed line by line, that keeps its state across lines.

Some secrets are only secrets in context: the body of a PEM private key, a RouterOS
``/snmp community`` or FortiOS ``config system snmp community`` section whose ``name``
is the community, a RouterOS ``/export`` line wrapped right after ``secret=\\`` so that
the value sits on the next line. A masker that saw one line at a time would leave them
in clear. This one is fed the lines in order and carries that context from one line to
the next, so the stored copy (fed the whole text at once) and the session log (fed
whatever netmiko writes, a few bytes at a time) are masked by the same rules with the
same result (docs/platforms.md, "Secrets and changes that mean something").
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

# A value the device prints differently on every read (FortiOS ENC, PAN-OS -AQ==, PEM keys):
# one constant marker, so re-encryption never looks like a change.
REENCRYPTED_MARKER = "<secret:encrypted>"
UNKEYED_MARKER = "<secret>"
# A keyed marker as keyed_marker writes it: 16 hex digits of the value's HMAC.
KEYED_MARKER_DIGITS = 16
KEYED_MARKER = re.compile(r"<secret:[0-9a-f]{%d}>" % KEYED_MARKER_DIGITS)
PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY-----")
PEM_HINT = "PRIVATE KEY-----"
MARKER_CACHE_SIZE = 4096

Marker = Callable[[str], str]


@dataclass(frozen=True)
class MaskRules:
    """What a masker needs from a profile, compiled once per profile.

    ``rules_for`` gives the secret rules a line may match (a needle filter); ``reencrypt``
    replaces a line's re-encrypted values by the constant marker (None: the profile has no
    such rule), and is called only for lines ``reencrypt_filter`` finds something in (None:
    every line); outside a section, a line ``candidate`` finds nothing in holds no secret
    (one plain search, cheaper than the needle filter; None: any line may); sections and
    continuation lines are described as in ``Profile``.
    """

    rules_for: Callable[[str], Tuple[Any, ...]]
    reencrypt: Optional[Callable[[str], str]]
    reencrypt_filter: Optional[Callable[[str], Any]]
    candidate: Optional[Callable[[str], Any]]
    section_start: Optional[Any]
    sections: Tuple[Tuple[Any, Tuple[Any, ...]], ...]
    continuation: Optional[str]


def unkeyed_marker(value: str) -> str:
    """The marker without a key (platform_check): the same for every value."""
    del value
    return UNKEYED_MARKER


def keyed_marker(key: bytes) -> Marker:
    """``<secret:HMAC>``: changes whenever the value does, yet no dictionary reverses it."""
    base = hmac.new(key, digestmod=hashlib.sha256)
    seen: Dict[str, str] = {}

    def marker(value: str) -> str:
        known = seen.get(value)
        if known is None:
            mac = base.copy()
            mac.update(value.encode("utf-8", "replace"))
            known = "<secret:%s>" % mac.hexdigest()[:KEYED_MARKER_DIGITS]
            if len(seen) < MARKER_CACHE_SIZE:
                seen[value] = known
        return known
    return marker


def secret_spans(line: str, patterns: Sequence[Any]) -> List[Tuple[int, int]]:
    """Every rule's value on the line as the device printed it, in order; an earlier rule's span wins an overlap.

    Rules see the original line, so one rule's marker never makes another take the next
    word for the value.
    """
    spans: List[Tuple[int, int]] = []
    for pattern in patterns:
        for match in pattern.finditer(line):
            start, end = match.span("secret")
            if end <= start:
                continue
            for taken_start, taken_end in spans:
                if start < taken_end and taken_start < end:
                    break
            else:
                spans.append((start, end))
    if len(spans) > 1:
        spans.sort()
    return spans


def mask_line(line: str, patterns: Sequence[Any], marker: Marker) -> str:
    """The line with each secret value replaced by its marker."""
    spans = secret_spans(line, patterns)
    if not spans:
        return line
    if len(spans) == 1:
        start, end = spans[0]
        return line[:start] + marker(line[start:end]) + line[end:]
    parts, last = [], 0
    for start, end in spans:
        parts.append(line[last:start])
        parts.append(marker(line[start:end]))
        last = end
    parts.append(line[last:])
    return "".join(parts)


class KeyBlocks:
    """PEM private keys across lines: the body goes, the BEGIN line carries the constant marker."""

    def __init__(self) -> None:
        self.inside = False  # True while a key's body is being read

    def line(self, line: str) -> Optional[str]:
        """The line with a key's body replaced by the constant marker; None for a line inside a key."""
        if self.inside:
            end = PEM_END.search(line)
            if end is None:
                return None
            self.inside = False
            return line[end.start():]
        if PEM_HINT not in line:
            return line
        begin = PEM_BEGIN.search(line)
        if begin is None:
            return line
        end = PEM_END.search(line, begin.end())
        if end is None:
            self.inside = True
            return line[:begin.end()] + REENCRYPTED_MARKER
        return line[:begin.end()] + REENCRYPTED_MARKER + line[end.start():]


class Masker:
    """Masks the lines fed to it, in order; ``take`` hands over the masked lines completed so far.

    A line inside a PEM private key is dropped (the BEGIN line carries the constant marker);
    a line ending in the profile's continuation string is held until its logical line ends,
    then the logical line is masked as one and given back as the same physical lines;
    ``flush`` at the end gives back what is still held.
    """

    def __init__(self, rules: MaskRules, key: Optional[bytes] = None) -> None:
        self._rules = rules
        self._marker: Marker = keyed_marker(key) if key else unkeyed_marker
        self._keys = KeyBlocks()
        self._section: Tuple[Any, ...] = ()
        self._section_indent = -1
        self._held: List[str] = []
        self._out: List[str] = []

    def feed_all(self, lines: Iterable[str]) -> None:
        """Mask lines (without their line ends), in order: one loop, the common line at the cost of a few tests."""
        rules = self._rules
        keys, out, held, marker = self._keys, self._out, self._held, self._marker
        reencrypt, reencrypt_filter = rules.reencrypt, rules.reencrypt_filter
        section_start, mark, rules_for, candidate = rules.section_start, rules.continuation, rules.rules_for, rules.candidate
        for line in lines:
            if keys.inside or PEM_HINT in line:
                kept = keys.line(line)
                if kept is None:
                    continue
                line = kept
            if reencrypt is not None and (reencrypt_filter is None or reencrypt_filter(line)):
                line = reencrypt(line)
            if section_start is not None and section_start.match(line):
                self._enter_section(line)
            if mark is not None and (held or line.endswith(mark)):
                held.append(line)
                if not line.endswith(mark):
                    out.extend(self._mask_continued(held))
                    held.clear()
                continue
            if "<secret" in line:
                # Already masked (a stored text, or a re-encrypted value): masking again would
                # take the next word ("5" of "secret 5 <secret:..>") for the value.
                out.append(line)
                continue
            if self._section:
                found = rules_for(line) + self._section
            elif candidate is not None and candidate(line) is None:
                out.append(line)
                continue
            else:
                found = rules_for(line)
            out.append(mask_line(line, found, marker) if found else line)

    def flush(self) -> None:
        """The end of the text: a continued line that never ended is masked as it stands."""
        if self._held:
            self._out.extend(self._mask_continued(self._held))
            self._held.clear()

    def take(self) -> List[str]:
        """The masked lines completed since the last take, in order."""
        out, self._out = self._out, []
        return out

    def _enter_section(self, line: str) -> None:
        # A deeper section (FortiOS "config hosts" inside a community) stays within its parent.
        indent = len(line) - len(line.lstrip())
        if not self._section or indent <= self._section_indent:
            self._section = next((rules for header, rules in self._rules.sections if header.match(line)), ())
            self._section_indent = indent

    def _mask_continued(self, lines: List[str]) -> List[str]:
        """A logical line wrapped over ``lines`` (each but the last ends in the continuation string).

        The rules run on the logical line (the pieces joined, continuation string and the
        next line's indentation left out), so a value wrapped onto the next line
        (RouterOS ``secret=\\`` then ``    VALUE``) is found; each marker then stands where its
        value starts, and the rest of a value that ran over a line end is left out.
        """
        mark = self._rules.continuation or ""
        indents, pieces = [], []
        for index, line in enumerate(lines):
            body = line[:-len(mark)] if mark and line.endswith(mark) else line
            indent = "" if index == 0 else body[:len(body) - len(body.lstrip())]
            indents.append(indent)
            pieces.append(body[len(indent):])
        logical = "".join(pieces)
        if "<secret" in logical:
            return lines
        spans = secret_spans(logical, self._rules.rules_for(logical) + self._section)
        if not spans:
            return lines
        out = []
        offset = 0
        for index, piece in enumerate(pieces):
            start_of, end_of = offset, offset + len(piece)
            kept, last = [], 0
            for start, end in spans:
                if end <= start_of or start >= end_of:
                    continue
                cut_from, cut_to = max(start, start_of) - start_of, min(end, end_of) - start_of
                kept.append(piece[last:cut_from])
                if start >= start_of:
                    kept.append(self._marker(logical[start:end]))
                last = cut_to
            kept.append(piece[last:])
            out.append(indents[index] + "".join(kept) + (mark if mark and lines[index].endswith(mark) else ""))
            offset = end_of
        return out
