# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One rule on one parsed configuration: its status, and the missing and extra lines (docs/compliance.md).

A scope is the whole configuration, or each block whose parent line matches ``section`` (at any
depth; ``section_having`` keeps the blocks with such a line inside). In a scope:
- ``must_contain``: each regex must match some line (any depth below the scope); a regex that
  matches none is listed under missing, as written;
- ``must_not_contain``: a line that matches is listed under extra;
- ``match`` + ``intended``: the feature is every line at the top of the scope that starts with a
  ``match`` prefix, with everything nested under it; it must equal the intended lines (parsed in
  the same block structure), in order with ``ordered``. Intended lines it lacks are missing,
  lines it has beyond them extra.
A nested line is shown with its parents down from the scope, joined by " > ".
"""

from __future__ import annotations

import bisect
import difflib
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._compliance._blocks import (
    PATH_SEPARATOR,
    ParsedConfig,
    parse,
)
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._patterns import LinePattern
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._rules import Rule
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ComplianceStatus

# The most lines a result lists under missing or extra, and the most failing blocks it details:
# a rule that flags every line of a large configuration must not make a result of megabytes.
MAX_LISTED = 100
NO_BLOCK = "no block matched section"


class Outcome:
    """A rule's verdict on one configuration: status, missing and extra lines, failing blocks, N/A reason."""

    __slots__ = ("status", "missing", "extra", "blocks", "reason")

    def __init__(self, status: str, missing: Sequence[str] = (), extra: Sequence[str] = (),
                 blocks: Sequence[Dict[str, Any]] = (), reason: Optional[str] = None) -> None:
        self.status = status
        self.missing = list(missing)
        self.extra = list(extra)
        self.blocks = list(blocks)
        self.reason = reason

    @property
    def section(self) -> Optional[str]:
        """The parent line of the failing block; of several, one per line (``blocks`` has each one's lines)."""
        return "\n".join(block["section"] for block in self.blocks) if self.blocks else None

    def details(self) -> Optional[Dict[str, Any]]:
        """What is stored with the result: None when compliant, the reason when not applicable."""
        if self.status == ComplianceStatus.COMPLIANT:
            return None
        if self.status == ComplianceStatus.NOT_APPLICABLE:
            return {"reason": self.reason}
        details: Dict[str, Any] = {"missing": self.missing, "extra": self.extra}
        if self.blocks:
            details["blocks"] = self.blocks
        return details


COMPLIANT = Outcome(ComplianceStatus.COMPLIANT)


def not_applicable(reason: str) -> Outcome:
    """A NOT_APPLICABLE outcome with its reason."""
    return Outcome(ComplianceStatus.NOT_APPLICABLE, reason=reason)


class IntendedCache:
    """A rule's intended lines parsed once per block structure (not once per device)."""

    def __init__(self) -> None:
        self._parsed: Dict[Tuple[str, str, str], List[Tuple[str, ...]]] = {}

    def paths(self, rule: Rule, blocks: str, comment: str) -> List[Tuple[str, ...]]:
        key = (rule.name, blocks, comment)
        found = self._parsed.get(key)
        if found is None:
            parsed = parse("\n".join(rule.intended or ()), blocks, comment)
            found = [path for root in parsed.top_level() for path in parsed.paths(root)]
            self._parsed[key] = found
        return found


def _unique(items: List[str]) -> List[str]:
    return list(dict.fromkeys(items))


def matching_lines(pattern: LinePattern, parsed: ParsedConfig) -> List[int]:
    """The lines of the whole configuration that ``pattern`` matches, found once per configuration."""
    found = parsed.matches.get(pattern.pattern)
    if found is None:
        found = parsed.matches[pattern.pattern] = pattern.all_lines(parsed, 0, len(parsed))
    return found


def _within(lines: List[int], first: int, last: int) -> List[int]:
    return lines[bisect.bisect_left(lines, first):bisect.bisect_left(lines, last)]


def _scope_problems(rule: Rule, parsed: ParsedConfig, first: int, last: int, depth: int,
                    intended: Optional[List[Tuple[str, ...]]]) -> Tuple[List[str], List[str]]:
    """(missing, extra) of the rule's checks in the lines [first, last) whose top is at ``depth``.

    Used for the whole configuration and in tests; a section's blocks go through _block_problems.
    """
    whole = first == 0 and last == len(parsed)
    missing: List[str] = []
    extra: List[str] = []
    for pattern in rule.compiled["must_contain"]:
        found = pattern.first_line(parsed, first, last) is not None if whole else bool(
            _within(matching_lines(pattern, parsed), first, last))
        if not found:
            missing.append(pattern.pattern)
    for pattern in rule.compiled["must_not_contain"]:
        lines = pattern.all_lines(parsed, first, last) if whole else _within(matching_lines(pattern, parsed), first, last)
        extra.extend(parsed.path_text(index, depth) for index in lines[:MAX_LISTED + 1])
    if rule.match and intended is not None:
        feature_missing, feature_extra = _feature_difference(rule, parsed, first, last, depth, intended)
        missing.extend(feature_missing)
        extra.extend(feature_extra)
    return missing, extra


def _feature_difference(rule: Rule, parsed: ParsedConfig, first: int, last: int, depth: int,
                        intended: List[Tuple[str, ...]]) -> Tuple[List[str], List[str]]:
    prefixes = rule.match
    texts = parsed.texts
    actual = [path for root in parsed.roots(first, last, depth) if texts[root].startswith(prefixes)
              for path in parsed.paths(root)]
    if rule.ordered:
        if actual == intended:
            return [], []
        matcher = difflib.SequenceMatcher(None, intended, actual, autojunk=False)
        missing, extra = [], []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                missing.extend(intended[i1:i2])
                extra.extend(actual[j1:j2])
    else:
        have, want = set(actual), set(intended)
        missing = [path for path in intended if path not in have]
        extra = [path for path in actual if path not in want]
    return [PATH_SEPARATOR.join(path) for path in missing], [PATH_SEPARATOR.join(path) for path in extra]


def _capped(lines: List[str]) -> List[str]:
    lines = _unique(lines)
    if len(lines) > MAX_LISTED:
        return lines[:MAX_LISTED] + ["... %d more line(s) not listed" % (len(lines) - MAX_LISTED)]
    return lines


class BlockIndex:
    """The blocks a section selects in one configuration, and which block holds a line: built once per section.

    Rules that share a section (``^interface``) share it, through ParsedConfig.matches. Blocks may
    nest (a JunOS section at several depths); when none does, a line's block is one bisect away.
    """

    def __init__(self, parsed: ParsedConfig, blocks: List[int]) -> None:
        self.parsed = parsed
        self.blocks = blocks
        self.enclosing: Dict[int, Optional[int]] = {}
        open_blocks: List[int] = []
        for parent in blocks:
            while open_blocks and parsed.ends[open_blocks[-1]] <= parent:
                open_blocks.pop()
            self.enclosing[parent] = open_blocks[-1] if open_blocks else None
            open_blocks.append(parent)
        self.flat = all(outer is None for outer in self.enclosing.values())
        self.held: Dict[str, Set[int]] = {}

    def holders(self, line: int) -> List[int]:
        """The blocks whose lines (below the parent line) include ``line``."""
        position = bisect.bisect_left(self.blocks, line) - 1
        if position < 0:
            return []
        ends = self.parsed.ends
        first = self.blocks[position]
        if self.flat:
            return [first] if ends[first] > line else []
        block: Optional[int] = first
        while block is not None and ends[block] <= line:
            block = self.enclosing[block]
        found = []
        while block is not None:
            found.append(block)
            block = self.enclosing[block]
        return found

    def holding(self, pattern: LinePattern) -> Set[int]:
        """The blocks with at least one line that ``pattern`` matches (computed once per pattern)."""
        found = self.held.get(pattern.pattern)
        if found is None:
            found = set()
            blocks, ends = self.blocks, self.parsed.ends
            for line in matching_lines(pattern, self.parsed):
                if self.flat:
                    position = bisect.bisect_left(blocks, line) - 1
                    if position >= 0 and ends[blocks[position]] > line:
                        found.add(blocks[position])
                else:
                    found.update(self.holders(line))
            self.held[pattern.pattern] = found
        return found


def block_index(rule: Rule, parsed: ParsedConfig) -> BlockIndex:
    """The BlockIndex of the rule's section (and section_having) in this configuration, shared by rules alike."""
    section, having = rule.compiled["section"], rule.compiled["section_having"]
    key = ("blocks", section.pattern, having.pattern if having is not None else None)
    index = parsed.matches.get(key)
    if index is None:
        blocks = [parent for parent in matching_lines(section, parsed) if parent not in parsed.not_blocks]
        if having is not None and blocks:
            with_line = BlockIndex(parsed, blocks).holding(having)
            blocks = [parent for parent in blocks if parent in with_line]
        index = parsed.matches[key] = BlockIndex(parsed, blocks)
    return index


def _block_problems(rule: Rule, index: BlockIndex,
                    intended: Optional[List[Tuple[str, ...]]]) -> Dict[int, Tuple[List[str], List[str]]]:
    """(missing, extra) of each failing block, every check run once over the whole text, not once per block.

    A section of 500 interface blocks costs one regex search per pattern and a lookup of each
    matching line's block, instead of 500 evaluations in Python.
    """
    parsed, blocks = index.parsed, index.blocks
    problems: Dict[int, Tuple[List[str], List[str]]] = {}
    for pattern in rule.compiled["must_contain"]:
        held = index.holding(pattern)
        if len(held) < len(blocks):
            for parent in blocks:
                if parent not in held:
                    problems.setdefault(parent, ([], []))[0].append(pattern.pattern)
    for pattern in rule.compiled["must_not_contain"]:
        if not index.holding(pattern):
            continue
        for line in matching_lines(pattern, parsed):
            for parent in index.holders(line):
                extra = problems.setdefault(parent, ([], []))[1]
                if len(extra) <= MAX_LISTED:
                    extra.append(parsed.path_text(line, parsed.depths[parent] + 1))
    if rule.match and intended is not None:
        for parent in blocks:
            missing, extra = _feature_difference(rule, parsed, parent + 1, parsed.ends[parent],
                                                 parsed.depths[parent] + 1, intended)
            if missing or extra:
                entry = problems.setdefault(parent, ([], []))
                entry[0].extend(missing)
                entry[1].extend(extra)
    return problems


def evaluate(rule: Rule, parsed: ParsedConfig, intended: Optional[List[Tuple[str, ...]]]) -> Outcome:
    """The rule's outcome on the parsed configuration (its scope already checked by the caller)."""
    section = rule.compiled["section"]
    if section is None:
        missing, extra = _scope_problems(rule, parsed, 0, len(parsed), 0, intended)
        if not missing and not extra:
            return COMPLIANT
        return Outcome(ComplianceStatus.NON_COMPLIANT, _capped(missing), _capped(extra))
    index = block_index(rule, parsed)
    blocks = index.blocks
    if not blocks:
        return not_applicable(NO_BLOCK)
    problems = _block_problems(rule, index, intended)
    if not problems:
        return COMPLIANT
    failing: List[Dict[str, Any]] = []
    all_missing: List[str] = []
    all_extra: List[str] = []
    for parent in blocks:
        if parent not in problems:
            continue
        missing, extra = problems[parent]
        all_missing.extend(missing)
        all_extra.extend(extra)
        if len(failing) < MAX_LISTED:
            failing.append({"section": parsed.path_text(parent, 0), "missing": _capped(missing), "extra": _capped(extra)})
    return Outcome(ComplianceStatus.NON_COMPLIANT, _capped(all_missing), _capped(all_extra), failing)
