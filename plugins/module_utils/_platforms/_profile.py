# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the backup knows about one platform: a Profile (see docs/platforms.md).

Every rule runs on one line at a time, so masking and normalisation stay linear in the
size of the text whatever it holds (20k blank lines, a 5 MB configuration). What a rule
needs from the lines around it (a section, a PEM key, a wrapped line) is carried by the
masker (``_masker.Masker``) from one line to the next.
"""

from __future__ import annotations

import re
try:
    from re import _parser as _sre_parse  # type: ignore[attr-defined]  # Python 3.11+ (sre_parse warns there); typeshed lists only sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse as _sre_parse  # pylint: disable=deprecated-module
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._masker import (
    PEM_HINT, REENCRYPTED_MARKER, UNKEYED_MARKER, KeyBlocks, Masker, MaskRules, keyed_marker, mask_line,
    unkeyed_marker,
)
from ansible_collections.netraven.netraven.plugins.module_utils._regex import BoundedRegex, RegexTimeoutError

__all__ = ["Profile", "REENCRYPTED_MARKER", "UNKEYED_MARKER", "MIN_CONFIG_BYTES"]

MIN_CONFIG_BYTES = 64
_ALREADY_MASKED = "(?!<secret)"
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
# How a configuration nests its blocks (Profile.blocks), for compliance sections.
BLOCK_STYLES = ("indent", "braces", "fortios")
# How many lines of an answer tell a refused command (a device's error) from output.
REFUSAL_LINES = 4


def _compile(patterns: Sequence[str], secret: bool = False, bounded: Optional[str] = None) -> Tuple[Any, ...]:
    """The rules compiled: Python's re for the built-in profiles, a BoundedRegex for a user's (``bounded`` names them)."""
    if secret:
        patterns = [p.replace("(?P<secret>", "(?P<secret>" + _ALREADY_MASKED) for p in patterns]
    if bounded is None:
        return tuple(re.compile(p) for p in patterns)
    return tuple(BoundedRegex(p, bounded) for p in patterns)


MIN_NEEDLE = 3
RULES_CACHE_SIZE = 4096
LINE_CACHE_SIZE = 65536


def _needles(pattern: Any) -> Optional[Tuple[str, ...]]:
    """Literal strings one of which every match of ``pattern`` contains, or None when none can be told.

    A line holding none of a rule's needles cannot match the rule, and ``needle in line`` costs
    far less than running the regex: most lines of a 5 MB configuration are skipped by a few
    substring tests. Derived from the regex itself, so a rule (built-in or a user's) and its
    filter cannot disagree.
    """
    flags = getattr(pattern, "flags", 0)
    if flags & re.IGNORECASE:
        return None
    try:
        parsed = _sre_parse.parse(pattern.pattern, flags & ~re.UNICODE)
        if parsed.state.flags & re.IGNORECASE:
            return None  # an inline (?i)
        return _needles_of(parsed.data)
    except Exception:  # pylint: disable=broad-except
        return None  # an unusual construct: the rule simply runs on every line


def _needles_of(items: Any) -> Optional[Tuple[str, ...]]:
    best: Optional[Tuple[str, ...]] = None
    run = ""

    def better(candidate: Optional[Sequence[str]]) -> None:
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
                    better([needle for needles in inner if needles for needle in needles])
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


class _BoundedAny:
    """The alternation of a user profile's rules, bounded; when it runs away, each rule is tried alone.

    One search over the alternation spares a call per rule on most lines, as ``_any_of`` does
    for the built-in profiles. When the alternation exceeds its time bound on a line, the
    rules are run one by one on that line, so the refusal names the rule that ran away.
    """

    def __init__(self, combined: BoundedRegex, rules: Tuple[BoundedRegex, ...]) -> None:
        self._combined = combined
        self._rules = rules

    def match(self, line: str) -> Any:
        """A match of one of the rules at the start of ``line``, or None."""
        try:
            return self._combined.match(line)
        except RegexTimeoutError:
            return next((m for m in (rule.match(line) for rule in self._rules) if m), None)

    def search(self, line: str) -> Any:
        """A match of one of the rules anywhere in ``line``, or None."""
        try:
            return self._combined.search(line)
        except RegexTimeoutError:
            return next((m for m in (rule.search(line) for rule in self._rules) if m), None)


def _any_of(patterns: Sequence[Any], bounded: Optional[str] = None) -> Optional[Any]:
    """One alternation of the rules, to skip in a single regex call the lines none of them can match.

    Most lines of a configuration hold no secret and no volatile text; trying a dozen rules on
    each costs a dozen calls, the alternation one. The named groups become plain groups (a name
    may appear once per regex); a set of rules that cannot be combined (a user's rule with a
    global inline flag) gets None, and every rule is then tried on every line.
    """
    if not patterns or any(_GROUP_REFERENCE.search(p.pattern) for p in patterns):
        return None  # a back-reference would point at another group once the rules are joined
    joined = "|".join("(?:%s)" % re.sub(r"\(\?P<\w+>", "(", p.pattern) for p in patterns)
    try:
        if bounded is not None:
            return _BoundedAny(BoundedRegex(joined, bounded), tuple(patterns))
        return re.compile(joined)
    except Exception:  # pylint: disable=broad-except
        return None  # re.error, or the regex package's error for a user's rules


@dataclass
class Profile:  # pylint: disable=too-many-instance-attributes
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
    # A line ending in this string goes on in the next line (RouterOS /export wraps long lines with "\"):
    # the rules see the whole logical line, so a value wrapped onto the next line is still found.
    continuation: Optional[str] = None
    # (line, sibling): a line matching the first is volatile when a line of its block (the indented lines
    # under one top-level line) matches the second (IOS: an auto-bandwidth tunnel's bandwidth line).
    block_volatile: Tuple[Tuple[str, str], ...] = ()
    # (command, instead): when the device refuses ``command`` (its answer matches ``refused``), the
    # session sends ``instead`` in the same login (IOS "view full", RouterOS 7's "show-sensitive").
    fallbacks: Tuple[Tuple[str, str], ...] = ()
    refused: Optional[str] = None
    # True: the session must not change the device's terminal settings (FortiOS: netmiko would set the
    # console's output mode and set it back, two configuration changes per backup).
    keep_terminal: bool = False
    # Set for a user's profile: its regexes run with a time bound per match (_regex.BoundedRegex).
    bounded: bool = False
    _volatile: Tuple[Any, ...] = field(init=False, repr=False)
    _fact_volatile: Tuple[Any, ...] = field(init=False, repr=False)
    _secrets: Tuple[Any, ...] = field(init=False, repr=False)
    _reencrypted: Tuple[Any, ...] = field(init=False, repr=False)
    _end: Optional[Any] = field(init=False, repr=False)
    _section_start: Optional[re.Pattern[str]] = field(init=False, repr=False)
    _sections: Tuple[Tuple[Any, Tuple[Any, ...]], ...] = field(init=False, repr=False)
    _block_volatile: Tuple[Tuple[re.Pattern[str], re.Pattern[str]], ...] = field(init=False, repr=False)
    _block_needles: Tuple[str, ...] = field(init=False, repr=False)
    _fallbacks: Dict[str, str] = field(init=False, repr=False)
    _refused: Optional[re.Pattern[str]] = field(init=False, repr=False)
    _any_volatile: Optional[Any] = field(init=False, repr=False)
    _secret_needles: Tuple[Optional[FrozenSet[str]], ...] = field(init=False, repr=False)
    _needle_finder: Optional[re.Pattern[str]] = field(init=False, repr=False)
    _needle_closure: Dict[str, Any] = field(init=False, repr=False)
    _line_finder: Optional[re.Pattern[str]] = field(init=False, repr=False)
    # needles found on a line -> the rules to run: lines share few combinations
    _rules_cache: Dict[FrozenSet[str], Any] = field(init=False, repr=False)
    _any_reencrypted: Optional[Any] = field(init=False, repr=False)
    _mask_rules: MaskRules = field(init=False, repr=False)

    def __post_init__(self) -> None:
        def what(rules: str) -> Optional[str]:
            return "profile '%s' %s" % (self.name, rules) if self.bounded else None

        self._volatile = _compile(self.volatile, bounded=what("volatile"))
        self._fact_volatile = _compile(self.fact_volatile, bounded=what("fact_volatile"))
        self._secrets = _compile(self.secrets, secret=True, bounded=what("secrets"))
        self._reencrypted = _compile(self.reencrypted, secret=True, bounded=what("reencrypted"))
        self._end = (_compile((self.end,), bounded=what("end"))[0]
                     if self.end and self.end != "braces" else None)
        self._section_start = re.compile(self.section_start) if self.section_start else None
        self._sections = tuple((re.compile(header), _compile(rules, secret=True))
                               for header, rules in self.section_secrets)
        self._block_volatile = tuple((re.compile(line), re.compile(sibling)) for line, sibling in self.block_volatile)
        self._block_needles = tuple(needle for _line, sibling in self._block_volatile
                                    for needle in (_needles(sibling) or ("",)))
        self._fallbacks = dict(self.fallbacks)
        self._refused = re.compile(self.refused, re.M) if self.refused else None
        self._any_volatile = _any_of(self._volatile, what("volatile"))
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
        self._any_reencrypted = _any_of(self._reencrypted, what("reencrypted"))
        self._mask_rules = MaskRules(
            rules_for=self._rules_for, reencrypt=self._reencrypt_all if self._reencrypted else None,
            reencrypt_filter=self._any_reencrypted.search if self._any_reencrypted is not None else None,
            candidate=self._line_finder.search if self._line_finder is not None else None,
            section_start=self._section_start, sections=self._sections, continuation=self.continuation)

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

    def fallback_for(self, command: str, output: str) -> Optional[str]:
        """The command to send instead of ``command`` when ``output`` says the device refused it, else None."""
        instead = self._fallbacks.get(command)
        if instead is None or self._refused is None:
            return None
        head = "\n".join(output.strip().splitlines()[:REFUSAL_LINES])
        return instead if self._refused.search(head) else None

    def is_volatile(self, line: str) -> bool:
        """True for a line that changes without a configuration change (a clock, a counter): not hashed."""
        if self._any_volatile is not None:
            return bool(self._any_volatile.match(line))
        return any(pattern.match(line) for pattern in self._volatile)

    def volatile_lines(self, text: str) -> List[str]:
        """The lines normalise drops as volatile, in order (for checking a profile against a saved output)."""
        lines = [line.rstrip() for line in _reencrypted_lines(self, _split(text))]
        in_blocks = self._block_volatile_indexes(text, lines)
        return [line for index, line in enumerate(lines) if self.is_volatile(line) or index in in_blocks]

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
        volatile = self._any_volatile.match if self._any_volatile is not None else self.is_volatile
        lines = [line.rstrip() for line in _reencrypted_lines(self, _split(text))]
        in_blocks = self._block_volatile_indexes(text, lines)
        if in_blocks:
            kept = [line for index, line in enumerate(lines) if index not in in_blocks and not volatile(line)]
        else:
            kept = [line for line in lines if not volatile(line)]
        while kept and not kept[-1]:
            kept.pop()
        start = 0
        while start < len(kept) and not kept[start]:
            start += 1
        return "\n".join(kept[start:]) + "\n"

    def _block_volatile_indexes(self, text: str, lines: List[str]) -> Set[int]:
        """Indexes of the lines volatile only within their block (``block_volatile``); most texts have none."""
        if not self._block_volatile or not any(needle in text for needle in self._block_needles):
            return set()
        found: Set[int] = set()
        block: List[int] = []
        for index in range(len(lines) + 1):
            if index < len(lines) and (not block or lines[index][:1] in (" ", "\t")):
                block.append(index)
                continue
            for line_rule, sibling in self._block_volatile:
                if any(sibling.match(lines[i]) for i in block):
                    found.update(i for i in block if line_rule.match(lines[i]))
            block = [index]
        return found

    def masker(self, key: Optional[bytes] = None) -> Masker:
        """A fresh masker for one text or one session: keyed markers with ``key``, plain ``<secret>`` without."""
        return Masker(self._mask_rules, key)

    def mask_secrets(self, text: str, key: Optional[bytes] = None) -> str:
        """Replace secret values by markers, line by line (a masker carries sections, keys and wrapped lines).

        With ``key`` the marker is ``<secret:HMAC>`` and changes whenever the value does;
        without it (platform_check) it is a plain ``<secret>``. Re-encrypted values always get
        the constant ``<secret:encrypted>``.
        """
        if (self._line_finder is not None and self._section_start is None and PEM_HINT not in text
                and (self.continuation is None or self.continuation + "\n" not in text)):
            return self._mask_candidate_lines(text, keyed_marker(key) if key else unkeyed_marker)
        masker = self.masker(key)
        masker.feed_all(text.split("\n"))
        masker.flush()
        return "\n".join(masker.take())

    def _mask_candidate_lines(self, text: str, marker: Any) -> str:
        """mask_secrets for a text without sections or PEM keys: only the lines holding a needle are visited.

        One search over the whole text finds them (the needles are plain words that never span
        a line), so the lines no rule can match, most of a configuration, cost no Python at all.
        """
        out = []
        seen: Dict[str, str] = {}
        done = 0
        for match in self._line_finder.finditer(text):  # type: ignore[union-attr]
            if match.start() < done:
                continue  # another needle on a line already masked
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            end = len(text) if end < 0 else end
            line = text[start:end]
            masked = seen.get(line)
            if masked is None:
                masked = self._reencrypt(line) if self._reencrypted else line
                if "<secret" not in masked:
                    rules = self._rules_for(masked)
                    masked = mask_line(masked, rules, marker) if rules else masked
                if len(seen) < LINE_CACHE_SIZE:
                    seen[line] = masked  # configurations repeat lines (interface stanzas): mask each once
            out.append(text[done:start])
            out.append(masked)
            done = end
        out.append(text[done:])
        return "".join(out)

    def _reencrypt(self, line: str) -> str:
        """The line with every re-encrypted value as the constant marker."""
        if self._any_reencrypted is not None and not self._any_reencrypted.search(line):
            return line
        return self._reencrypt_all(line)

    def _reencrypt_all(self, line: str) -> str:
        """_reencrypt without the alternation's first look (its caller has looked)."""
        for pattern in self._reencrypted:
            line = pattern.sub(lambda m: _replace(m, REENCRYPTED_MARKER), line)
        return line

    def _rules_for(self, line: str) -> Tuple[Any, ...]:
        """The secret rules that can match ``line``: those whose needles it holds (and those without needles)."""
        seen = frozenset(self._needle_finder.findall(line)) if self._needle_finder is not None else frozenset()
        rules = self._rules_cache.get(seen)
        if rules is None:
            found: Set[str] = set()
            for needle in seen:
                found |= self._needle_closure[needle]
            rules = tuple(rule for rule, needles in zip(self._secrets, self._secret_needles)
                          if needles is None or not found.isdisjoint(needles))
            if len(self._rules_cache) < RULES_CACHE_SIZE:
                self._rules_cache[seen] = rules
        return rules


def _split(text: str) -> List[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _reencrypted_lines(profile: Profile, lines: Iterable[str]) -> Iterator[str]:
    """Lines with re-encrypted values and PEM private keys (their body) replaced by one constant marker."""
    # pylint: disable=protected-access
    keys = KeyBlocks()
    reencrypt = profile._reencrypt_all if profile._reencrypted else None
    look = profile._any_reencrypted.search if profile._any_reencrypted is not None else None
    for line in lines:
        if keys.inside or PEM_HINT in line:
            kept = keys.line(line)
            if kept is None:
                continue
            line = kept
        if reencrypt is not None and (look is None or look(line)):
            line = reencrypt(line)
        yield line


def _replace(match: Any, marker: str) -> str:
    whole: str = match.group(0)
    start = match.start(0)
    return whole[:match.start("secret") - start] + marker + whole[match.end("secret") - start:]


def _braces_balance(text: str) -> bool:
    """True when every brace outside quotes is closed; a backslash escapes the next character in quotes (JunOS "19\\" rack")."""
    depth = 0
    in_quote = False
    escaped = False
    for char in text:
        if in_quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_quote = False
        elif char == '"':
            in_quote = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and not in_quote
