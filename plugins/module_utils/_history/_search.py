# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""config_info's search: a user's regex over the latest configuration of every targeted device, line by line.

The pattern is the user's and the text the devices', so it runs as a _regex.BoundedRegex: each
match is bounded in time, and a pattern that backtracks without end is refused in one line
naming it instead of stalling the controller (issue 25, L5; docs/history.md).

A match is always a match of one line (``^`` and ``$`` anchor a line). Searching a 20 kB text
one line at a time is some 800 Python-level calls; with ``regex`` (about 2 µs a call, where
``re`` takes 0.3 µs) that made a search several times slower. So where it is safe (the
pattern does not look outside its line: whole_text_check), a MULTILINE twin searches the whole
text in C and only the lines it hits are checked on their own: a text with no match costs one
call, a text with k matching lines about 2k. When the twin runs past the time bound on a
whole text, that text and the rest are searched line by line, each line bounded. A pattern
with a lookaround or a string anchor has no twin and is searched line by line: about 2.5 µs a
line with the bound (benchmarks/regex_bound.py).

Rows are streamed one at a time so that memory stays flat on large estates (a server-side
cursor on PostgreSQL, the plain cursor on SQLite).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Device, DeviceConfiguration, Tag, device_tag_association
from ansible_collections.netraven.netraven.plugins.module_utils._errors import refuse_unknown_tags
from ansible_collections.netraven.netraven.plugins.module_utils._regex import BoundedRegex, RegexTimeoutError

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

STREAM_BATCH = 200
# Constructs whose result depends on what lies outside a line: with them, a line's match may not
# be a match of the whole text, so the whole-text search below would be unsafe.
_OUTSIDE_THE_LINE = ("\\A", "\\Z", "(?=", "(?!", "(?<", "(?(")
# Line breaks str.splitlines() knows besides '\n' (where ^ and $ do not anchor): a text holding
# one is searched line by line. Nine `in` scans cost a 20 kB text 2 µs, a regex 100 µs.
_OTHER_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _other_line_breaks(text: str) -> bool:
    return any(character in text for character in _OTHER_LINE_BREAKS)


def compile_search(pattern: str) -> BoundedRegex:
    """The search regex, bounded per match (_regex), or one line naming it."""
    return BoundedRegex(pattern, "search")


def whole_text_check(pattern: BoundedRegex) -> Optional[BoundedRegex]:
    """A MULTILINE twin of the line regex that finds, in the whole text, every line that can match; None when unsafe.

    A match inside one line is a match of the whole text under MULTILINE (^ and $ at line
    edges), unless the regex looks outside the line (string anchors, lookarounds,
    conditionals). The twin may match where no line does (across a newline): the lines it
    hits are still checked on their own. It is bounded like the lines' regex.
    """
    if any(token in pattern.pattern for token in _OUTSIDE_THE_LINE):
        return None
    return BoundedRegex(pattern.pattern, pattern.what, re.MULTILINE)


def _lines_one_by_one(text: str, pattern: BoundedRegex, first_only: bool) -> List[int]:
    found = []
    for index, line in enumerate(text.splitlines()):
        if pattern.search(line):
            found.append(index)
            if first_only:
                break
    return found


def _lines_through_text(text: str, pattern: BoundedRegex, twin: BoundedRegex, first_only: bool) -> List[int]:
    """The indexes of the matching lines, each found by the twin in the whole text, then checked alone.

    The twin's leftmost hit from the start of a line is in the first line at or after it that
    matches on its own, or in an earlier line (a hit across a newline), which is checked and
    passed. RegexTimeoutError from the twin is the caller's to handle.
    """
    found: List[int] = []
    position, line_number, counted = 0, 0, 0
    while position <= len(text):
        hit = twin.search(text, position)
        if hit is None:
            break
        start = text.rfind("\n", 0, hit.start()) + 1
        if start == len(text):  # after the last newline: no line there (str.splitlines)
            break
        end = text.find("\n", hit.start())
        end = len(text) if end == -1 else end
        line_number += text.count("\n", counted, start)
        counted = start
        if pattern.search(text[start:end]):
            found.append(line_number)
            if first_only:
                break
        position = end + 1
    return found


class LineMatcher:
    """The matching lines of each text, through the whole-text twin where it is safe and keeps within the bound."""

    def __init__(self, pattern: BoundedRegex) -> None:
        self.pattern = pattern
        self.twin = whole_text_check(pattern)

    def lines(self, text: str, first_only: bool = False) -> List[int]:
        """Indexes (in text.splitlines()) of the lines the pattern matches; RegexTimeoutError names a runaway pattern."""
        if self.twin is not None and not _other_line_breaks(text):
            try:
                if self.twin.search(text) is None:
                    return []  # the usual case: one call in C for the whole text
                return _lines_through_text(text, self.pattern, self.twin, first_only)
            except RegexTimeoutError:
                self.twin = None  # too slow on whole texts: line by line from now on, each line bounded
        return _lines_one_by_one(text, self.pattern, first_only)


def _latest_rows(connection: Connection, tags: Optional[List[str]]) -> Iterator[Any]:
    """(hostname, config_data) of the latest configuration of each targeted device, streamed."""
    latest = (sa.select(sa.func.max(DeviceConfiguration.id).label("id"))
              .group_by(DeviceConfiguration.device_id).subquery())
    query = (sa.select(Device.hostname, DeviceConfiguration.config_data)
             .join(latest, latest.c.id == DeviceConfiguration.id)
             .join(Device, Device.id == DeviceConfiguration.device_id)
             .order_by(Device.hostname))
    if tags:
        tagged = (sa.select(device_tag_association.c.device_id)
                  .join(Tag, Tag.id == device_tag_association.c.tag_id).where(Tag.name.in_(tags)))
        query = query.where(Device.id.in_(tagged))
    else:
        query = query.where(Device.enabled == sa.true())
    result = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(query)
    yield from result


def check_tags(connection: Connection, tags: Optional[List[str]]) -> None:
    """Every named tag exists, or one line naming the unknown ones."""
    if not tags:
        return
    known = set(connection.execute(sa.select(Tag.name).where(Tag.name.in_(tags))).scalars())
    refuse_unknown_tags(sorted(set(tags)), known)


def _entries(text: str, indexes: List[int], context: int) -> List[Dict[str, Any]]:
    lines = text.splitlines()
    found = []
    for index in indexes:
        entry: Dict[str, Any] = {"line_number": index + 1, "line": lines[index]}
        if context:
            entry["context"] = lines[max(0, index - context):min(len(lines), index + context + 1)]
        found.append(entry)
    return found


def search_configs(connection: Connection, pattern: BoundedRegex, tags: Optional[List[str]] = None, context: int = 0,
                   absent: bool = False, limit: Optional[int] = None) -> Dict[str, Any]:
    """Per device the matching lines (or, with absent, the devices without a match), capped by limit.

    A match that runs past the regex's time bound on one line refuses the search
    (RegexTimeoutError, one line naming the pattern).
    """
    check_tags(connection, tags)
    matches: List[Dict[str, Any]] = []
    total = 0
    matcher = LineMatcher(pattern)
    for row in _latest_rows(connection, tags):
        indexes = matcher.lines(row.config_data, first_only=absent)
        if absent:
            # Line by line, as for matches: a whole-text search would miss '^...$' and match across lines.
            if indexes:
                continue
            entry: Dict[str, Any] = {"hostname": row.hostname}
        else:
            if not indexes:
                continue
            entry = {"hostname": row.hostname, "lines": _entries(row.config_data, indexes, context)}
        total += 1
        if not limit or len(matches) < limit:
            matches.append(entry)
    return {"matches": matches, "matched": total, "truncated": bool(limit) and total > len(matches)}
