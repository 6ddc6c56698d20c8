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
from typing import Any, Dict, List, Optional, Sequence, Tuple

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

    The whole configuration is searched directly (one regex call each); a block looks its
    lines up among the whole configuration's matches, so a section with 500 blocks still
    costs one regex call per pattern.
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


def evaluate(rule: Rule, parsed: ParsedConfig, intended: Optional[List[Tuple[str, ...]]]) -> Outcome:
    """The rule's outcome on the parsed configuration (its scope already checked by the caller)."""
    section = rule.compiled["section"]
    if section is None:
        missing, extra = _scope_problems(rule, parsed, 0, len(parsed), 0, intended)
        if not missing and not extra:
            return COMPLIANT
        return Outcome(ComplianceStatus.NON_COMPLIANT, _capped(missing), _capped(extra))
    having = rule.compiled["section_having"]
    blocks = 0
    failing: List[Dict[str, Any]] = []
    all_missing: List[str] = []
    all_extra: List[str] = []
    for parent in matching_lines(section, parsed):
        if parent in parsed.banner_text:
            continue
        first, last = parent + 1, parsed.ends[parent]
        if having is not None and not _within(matching_lines(having, parsed), first, last):
            continue
        blocks += 1
        missing, extra = _scope_problems(rule, parsed, first, last, parsed.depths[parent] + 1, intended)
        if missing or extra:
            all_missing.extend(missing)
            all_extra.extend(extra)
            if len(failing) < MAX_LISTED:
                failing.append({"section": parsed.path_text(parent, 0), "missing": _capped(missing),
                                "extra": _capped(extra)})
    if not blocks:
        return not_applicable(NO_BLOCK)
    if not failing:
        return COMPLIANT
    return Outcome(ComplianceStatus.NON_COMPLIANT, _capped(all_missing), _capped(all_extra), failing)
