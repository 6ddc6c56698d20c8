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
try:
    from re import _parser as _sre_parse  # Python 3.11+ (sre_parse warns there)
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse as _sre_parse  # pylint: disable=deprecated-module
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
_PEM_HINT = "PRIVATE KEY-----"
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
# How a configuration nests its blocks (Profile.blocks), for compliance sections.
BLOCK_STYLES = ("indent", "braces", "fortios")


def _compile(patterns: Sequence[str], secret: bool = False) -> Tuple[re.Pattern, ...]:
    if secret:
        patterns = [p.replace("(?P<secret>", "(?P<secret>" + _ALREADY_MASKED) for p in patterns]
    return tuple(re.compile(p) for p in patterns)


MIN_NEEDLE = 3
RULES_CACHE_SIZE = 4096
LINE_CACHE_SIZE = 65536


def _needles(pattern: re.Pattern) -> Optional[Tuple[str, ...]]:
    """Literal strings one of which every match of ``pattern`` contains, or None when none can be told.

    A line holding none of a rule's needles cannot match the rule, and ``needle in line`` costs
    far less than running the regex: most lines of a 5 MB configuration are skipped by a few
    substring tests. Derived from the regex itself, so a rule (built-in or a user's) and its
    filter cannot disagree.
    """
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        return _needles_of(_sre_parse.parse(pattern.pattern, pattern.flags & ~re.UNICODE).data)
    except Exception:  # pylint: disable=broad-except
        return None  # an unusual construct: the rule simply runs on every line


def _needles_of(items) -> Optional[Tuple[str, ...]]:
    best: Optional[Tuple[str, ...]] = None
    run = ""

    def better(candidate):
        nonlocal best
        if candidate and min(map(len, candidate)) >= MIN_NEEDLE and (
                best is None or min(map(len, candidate)) > min(map(len, best))):
            best = tuple(candidate)

    for op, value in items:
        if op == _sre_parse.LITERAL:
            run += chr(value)
            continue
        if op in (_sre_parse.AT, _sre_parse.ASSERT, _sre_parse.ASSERT_NOT):
            continue  # zero-width: the literals either side still stand next to each other
        if op == _sre_parse.BRANCH:
            branches = value[1]
            if all(branch and all(o == _sre_parse.LITERAL for o, _v in branch) for branch in branches):
                better([run + "".join(chr(v) for _o, v in branch) for branch in branches])
            else:
                inner = [_needles_of(branch) for branch in branches]
                if all(inner):
                    better([needle for needles in inner for needle in needles])
        elif op == _sre_parse.SUBPATTERN:
            if value[1] & re.IGNORECASE:
                return None
            better(_needles_of(value[3]))
        elif op in (_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT) and value[0] >= 1:
            better(_needles_of(value[2]))
        better([run] if run else None)
        run = ""
    better([run] if run else None)
    return best


def _any_of(patterns: Sequence[re.Pattern]) -> Optional[re.Pattern]:
    """One alternation of the rules, to skip in a single regex call the lines none of them can match.

    Most lines of a configuration hold no secret and no volatile text; trying a dozen rules on
    each costs a dozen calls, the alternation one. The named groups become plain groups (a name
    may appear once per regex); a set of rules that cannot be combined (a user's rule with a
    global inline flag) gets None, and every rule is then tried on every line.
    """
    if not patterns or any(_GROUP_REFERENCE.search(p.pattern) for p in patterns):
        return None  # a back-reference would point at another group once the rules are joined
    try:
        return re.compile("|".join("(?:%s)" % re.sub(r"\(\?P<\w+>", "(", p.pattern) for p in patterns))
    except re.error:
        return None


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
    # False: stay where the login lands (netmiko's enable on Comware is system-view, a config mode).
    enable: bool = True
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
    # How a configuration nests blocks, for compliance sections (_compliance/_blocks.py): "indent" (IOS
    # style), "braces" (JunOS, PAN-OS) or "fortios" (config/edit ... next/end).
    blocks: str = "indent"
    _volatile: Tuple[re.Pattern, ...] = field(init=False, repr=False)
    _fact_volatile: Tuple[re.Pattern, ...] = field(init=False, repr=False)
    _secrets: Tuple[re.Pattern, ...] = field(init=False, repr=False)
    _reencrypted: Tuple[re.Pattern, ...] = field(init=False, repr=False)
    _end: Optional[re.Pattern] = field(init=False, repr=False)
    _section_start: Optional[re.Pattern] = field(init=False, repr=False)
    _sections: Tuple[Tuple[re.Pattern, Tuple[re.Pattern, ...]], ...] = field(init=False, repr=False)
    _any_volatile: Optional[re.Pattern] = field(init=False, repr=False)
    _secret_needles: Tuple[Optional[frozenset], ...] = field(init=False, repr=False)
    _needle_finder: Optional[re.Pattern] = field(init=False, repr=False)
    _needle_closure: dict = field(init=False, repr=False)
    _line_finder: Optional[re.Pattern] = field(init=False, repr=False)
    # needles found on a line -> the rules to run: lines share few combinations
    _rules_cache: dict = field(init=False, repr=False)
    _any_reencrypted: Optional[re.Pattern] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._volatile = _compile(self.volatile)
        self._fact_volatile = _compile(self.fact_volatile)
        self._secrets = _compile(self.secrets, secret=True)
        self._reencrypted = _compile(self.reencrypted, secret=True)
        self._end = re.compile(self.end) if self.end and self.end != "braces" else None
        self._section_start = re.compile(self.section_start) if self.section_start else None
        self._sections = tuple((re.compile(header), _compile(rules, secret=True))
                               for header, rules in self.section_secrets)
        self._any_volatile = _any_of(self._volatile)
        needles = [_needles(pattern) for pattern in self._secrets]
        self._secret_needles = tuple(frozenset(n) if n is not None else None for n in needles)
        every = sorted({needle for group in needles if group for needle in group}, key=lambda n: (-len(n), n))
        # A zero-width search finds each needle wherever it starts; a needle inside a longer one
        # found at the same place is added by the closure.
        self._needle_finder = re.compile("(?=(%s))" % "|".join(map(re.escape, every))) if every else None
        # Every line a secret or re-encrypted rule can match holds one of these words (None: some rule has none).
        reencrypted = [_needles(pattern) for pattern in self._reencrypted]
        words = sorted({n for group in needles + reencrypted if group for n in group}, key=lambda n: (-len(n), n))
        self._line_finder = (re.compile("|".join(map(re.escape, words)))
                             if words and all(group is not None for group in needles + reencrypted) else None)
        self._rules_cache = {}
        self._needle_closure = {needle: frozenset(other for other in every if other in needle) for needle in every}
        self._any_reencrypted = _any_of(self._reencrypted)

    @property
    def command(self) -> str:
        """The configuration command(s) as one string, for metadata and messages."""
        return "; ".join(self.commands)

    def is_complete(self, text: str) -> bool:
        """True when the output is a whole configuration, not a session cut short."""
        body = text.strip()
        if len(body.encode("utf-8", "replace")) < MIN_CONFIG_BYTES:
            return False
        return self.end_found(body) is not False

    def end_found(self, text: str) -> Optional[bool]:
        """Whether the output ends as a complete configuration does; None when the profile has no end marker."""
        body = text.strip()
        if self.end == "braces":
            return _braces_balance(body) and body.endswith("}")
        if self._end is not None:
            return bool(self._end.match(body.rsplit("\n", 1)[-1].strip()))
        return None

    def is_volatile(self, line: str) -> bool:
        """True for a line that changes without a configuration change (a clock, a counter): not hashed."""
        if self._any_volatile is not None:
            return bool(self._any_volatile.match(line))
        return any(pattern.match(line) for pattern in self._volatile)

    def volatile_lines(self, text: str) -> list:
        """The lines normalise drops as volatile, in order (for checking a profile against a saved output)."""
        lines = _reencrypted_lines(self, text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        return [line.rstrip() for line in lines if self.is_volatile(line.rstrip())]

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
        volatile = self._any_volatile.match if self._any_volatile is not None else self.is_volatile
        for line in _reencrypted_lines(self, text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
            line = line.rstrip()
            if not volatile(line):
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
        if self._line_finder is not None and self._section_start is None and _PEM_HINT not in text:
            return self._mask_candidate_lines(text, marker)
        out = []
        in_section: Tuple[re.Pattern, ...] = ()
        section_indent = -1
        for line in _reencrypted_lines(self, text.split("\n")):
            # A deeper section (FortiOS "config hosts" inside a community) stays within its parent.
            if self._section_start is not None and self._section_start.match(line):
                indent = len(line) - len(line.lstrip())
                if not in_section or indent <= section_indent:
                    in_section = next((rules for header, rules in self._sections if header.match(line)), ())
                    section_indent = indent
            if "<secret" in line:
                # Already masked (a stored text, or a re-encrypted value): masking again would
                # take the next word ("5" of "secret 5 <secret:..>") for the value.
                out.append(line)
                continue
            rules = self._rules_for(line) + in_section
            out.append(_mask_line(line, rules, marker) if rules else line)
        return "\n".join(out)

    def _mask_candidate_lines(self, text: str, marker) -> str:
        """mask_secrets for a text without sections or PEM keys: only the lines holding a needle are visited.

        One search over the whole text finds them (the needles are plain words that never span
        a line), so the lines no rule can match, most of a configuration, cost no Python at all.
        """
        out = []
        seen: dict = {}
        done = 0
        for match in self._line_finder.finditer(text):
            if match.start() < done:
                continue  # another needle on a line already masked
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            end = len(text) if end < 0 else end
            line = text[start:end]
            masked = seen.get(line)
            if masked is None:
                masked = next(_reencrypted_lines(self, (line,))) if self._reencrypted else line
                if "<secret" not in masked:
                    rules = self._rules_for(masked)
                    masked = _mask_line(masked, rules, marker) if rules else masked
                if len(seen) < LINE_CACHE_SIZE:
                    seen[line] = masked  # configurations repeat lines (interface stanzas): mask each once
            out.append(text[done:start])
            out.append(masked)
            done = end
        out.append(text[done:])
        return "".join(out)

    def _rules_for(self, line: str) -> Tuple[re.Pattern, ...]:
        """The secret rules that can match ``line``: those whose needles it holds (and those without needles)."""
        seen = frozenset(self._needle_finder.findall(line)) if self._needle_finder is not None else frozenset()
        rules = self._rules_cache.get(seen)
        if rules is None:
            found = set()
            for needle in seen:
                found |= self._needle_closure[needle]
            rules = tuple(rule for rule, needles in zip(self._secrets, self._secret_needles)
                          if needles is None or not found.isdisjoint(needles))
            if len(self._rules_cache) < RULES_CACHE_SIZE:
                self._rules_cache[seen] = rules
        return rules


def _reencrypted_lines(profile: Profile, lines):
    """Lines with re-encrypted values and PEM private keys (their body) replaced by one constant marker."""
    in_key = False
    for line in lines:
        if in_key:
            if PEM_END.search(line):
                in_key = False
                yield line[PEM_END.search(line).start():]
            continue
        if _PEM_HINT in line and PEM_BEGIN.search(line):
            begin = PEM_BEGIN.search(line)
            if not PEM_END.search(line, begin.end()):
                in_key = True
                yield line[:begin.end()] + REENCRYPTED_MARKER
                continue
            end = PEM_END.search(line, begin.end())
            line = line[:begin.end()] + REENCRYPTED_MARKER + line[end.start():]
        if profile._any_reencrypted is not None and not profile._any_reencrypted.search(line):  # pylint: disable=protected-access
            yield line
            continue
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
    base = hmac.new(key, digestmod=hashlib.sha256)
    seen: dict = {}

    def marker(value: str) -> str:
        known = seen.get(value)
        if known is None:
            mac = base.copy()
            mac.update(value.encode("utf-8", "replace"))
            known = "<secret:%s>" % mac.hexdigest()[:16]
            if len(seen) < RULES_CACHE_SIZE:
                seen[value] = known
        return known
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
