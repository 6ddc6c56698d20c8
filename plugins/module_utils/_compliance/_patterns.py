# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A rule's regex, matched against single lines, but run once over a whole block where that is exact.

Matching 50 rules line by line on 10,000 configurations of 400 lines is 200 million regex
calls from Python. A line's match is also a match of the lines joined by newlines under
MULTILINE (``^`` and ``$`` at line edges, ``\\b`` sees a newline as it sees a string's edge),
so one search over a block finds whether any line matches, and where. Two cases are not
exact and fall back to line by line: a regex that looks outside its match (lookarounds,
string anchors, conditionals), and a match that spans a newline (``\\s``, ``[^x]``), which no
single line would give. Every call is bounded by _regex.BoundedRegex's timeout.
"""

from __future__ import annotations

import re
from typing import List, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._compliance._blocks import ParsedConfig
from ansible_collections.netraven.netraven.plugins.module_utils._regex import BoundedRegex

# Constructs whose result depends on what lies outside the match: with them a block-wide search
# could differ from line-by-line matching.
_OUTSIDE_THE_MATCH = ("\\A", "\\Z", "\\z", "\\G", "(?=", "(?!", "(?<", "(?(", "(?r", "(?*", "(?|")


class LinePattern:
    """A compiled regex of a rule (field ``what``), matched against single lines of a ParsedConfig."""

    __slots__ = ("pattern", "line", "block")

    def __init__(self, pattern: str, what: str) -> None:
        self.pattern = pattern
        self.line = BoundedRegex(pattern, what)
        self.block: Optional[BoundedRegex] = None
        if not any(token in pattern for token in _OUTSIDE_THE_MATCH):
            self.block = BoundedRegex(pattern, what, flags=re.MULTILINE)

    def first_line(self, parsed: ParsedConfig, first: int, last: int) -> Optional[int]:
        """The index of the first line of [first, last) that matches, or None."""
        if first >= last:
            return None
        if self.block is not None:
            start, end = parsed.span(first, last)
            found = self.block.search(parsed.text[:end], start)
            if found is None:
                return None
            if "\n" not in found.group(0):
                return parsed.line_at(found.start())
        texts = parsed.texts
        for index in range(first, last):
            if self.line.search(texts[index]) is not None:
                return index
        return None

    def all_lines(self, parsed: ParsedConfig, first: int, last: int) -> List[int]:
        """The indexes of every line of [first, last) that matches, in order."""
        if first >= last:
            return []
        if self.block is not None:
            start, end = parsed.span(first, last)
            block = parsed.text[start:end]
            found: List[int] = []
            exact = True
            for match in self.block.finditer(block):
                if "\n" in match.group(0):
                    exact = False
                    break
                index = parsed.line_at(start + match.start())
                if not found or found[-1] != index:
                    found.append(index)
            if exact:
                return found
        texts = parsed.texts
        return [index for index in range(first, last) if self.line.search(texts[index]) is not None]
