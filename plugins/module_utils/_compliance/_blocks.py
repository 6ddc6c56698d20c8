# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A configuration as nested lines, in the block structure its platform profile names (Profile.blocks).

- ``indent`` (IOS, NX-OS, EOS, IOS-XR, ASA and most others): a line is the child of the nearest
  line above it that is indented less. Comment lines (the profile's comment character) and blank
  lines are left out; a banner's text (IOS ``banner motd ^C`` ... ``^C``, NX-OS ``#``, EOS ``EOF``)
  becomes the banner line's children whatever it holds, so a banner never breaks the parse.
- ``braces`` (JunOS, PAN-OS): ``name {`` opens a block, ``}`` closes it, a statement is never a block;
  the punctuation is left out of the lines (``ssh {`` is ``ssh``, ``root-login deny;`` is ``root-login deny``), as are
  ``#`` comments, ``## SECRET-DATA`` tails and ``/* annotations */``.
- ``fortios``: ``config`` and ``edit`` open blocks, ``next`` and ``end`` close them (the lines
  themselves are left out), whatever the indentation; a quoted value over several lines is one line.

Why not a library: netutils' parsers (those of Nautobot Golden Config) and hier_config read JunOS
and PAN-OS in ``set`` form only, while the backup stores the brace form; netutils' FortiOS parser
follows indentation, which FortiOS does not keep inside ``config global``/``config vdom``; and a
one-pass parser is 7 times faster than netutils' IOS parser and 60 times faster than hier_config
(docs/compliance.md, "Why its own parser").

The result keeps the lines in document order with their depth: a block's lines are a contiguous
run, and ``text`` joins every line, so a rule's regex runs once over a block in C
(_checks.LinePattern) instead of once per line in Python.
"""

from __future__ import annotations

import bisect
import re
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Tuple

_BANNER = re.compile(r"banner\s+\S+(?:\s+(.*))?$")
_IOS_BANNER_DELIMITER = "^C"
_EOS_BANNER_END = "EOF"
_UNESCAPED_QUOTE = re.compile(r'(?<!\\)"')
_BRACE_LEAF_END = re.compile(r";\s*(?:##.*)?$")
# A line a path joins to its parent with, in missing/extra lists.
PATH_SEPARATOR = " > "


class ParsedConfig:
    """The lines of a configuration (stripped), their depths, where each block ends, and the joined text."""

    __slots__ = ("texts", "depths", "ends", "text", "starts", "_top", "matches", "not_blocks")

    def __init__(self, texts: List[str], depths: List[int], not_blocks: FrozenSet[int] = frozenset()) -> None:
        self.texts = texts
        # Lines matched as lines but never the parent of a section: a banner's text, a JunOS statement
        # ("ssh;" is not the block "ssh {"), a FortiOS "set". In the indent structure any other line may
        # be one (an "interface Vlan1" without children is an empty block, which must_contain fails).
        self.not_blocks = not_blocks
        self.depths = depths
        count = len(texts)
        ends = [count] * count
        open_lines: List[int] = []
        for index, depth in enumerate(depths):
            while open_lines and depths[open_lines[-1]] >= depth:
                ends[open_lines.pop()] = index
            open_lines.append(index)
        self.ends = ends
        self.text = "\n".join(texts)
        starts = []
        position = 0
        for line in texts:
            starts.append(position)
            position += len(line) + 1
        self.starts = starts
        self._top: Optional[List[int]] = None
        # A regex's matching lines over the whole text, computed once per configuration
        # (_checks: the blocks of a section rule look their lines up here), and the sections' BlockIndexes.
        self.matches: Dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def line_at(self, offset: int) -> int:
        """The index of the line holding character ``offset`` of ``text``."""
        return bisect.bisect_right(self.starts, offset) - 1

    def span(self, first: int, last: int) -> Tuple[int, int]:
        """The character range of lines [first, last) in ``text`` (empty when there are none)."""
        if first >= last:
            return 0, 0
        return self.starts[first], self.starts[last - 1] + len(self.texts[last - 1])

    def top_level(self) -> List[int]:
        """The indexes of the lines at depth 0."""
        if self._top is None:
            self._top = [index for index, depth in enumerate(self.depths) if depth == 0]
        return self._top

    def children(self, parent: int) -> Iterator[int]:
        """The indexes of the direct children of line ``parent``."""
        depth = self.depths[parent] + 1
        for index in range(parent + 1, self.ends[parent]):
            if self.depths[index] == depth:
                yield index

    def roots(self, first: int, last: int, depth: int) -> List[int]:
        """The lines of [first, last) at ``depth``: the top of a scope (the whole text, or a block)."""
        if first == 0 and last == len(self.texts) and depth == 0:
            return self.top_level()
        return [index for index in range(first, last) if self.depths[index] == depth]

    def paths(self, root: int) -> List[Tuple[str, ...]]:
        """Every line of the block that ``root`` opens, itself included, as its path from ``root``."""
        base = self.depths[root]
        stack: List[str] = []
        found = []
        for index in range(root, self.ends[root]):
            del stack[self.depths[index] - base:]
            stack.append(self.texts[index])
            found.append(tuple(stack))
        return found

    def path_text(self, index: int, base_depth: int) -> str:
        """Line ``index`` with its parents down from ``base_depth``, joined by " > " (how results show a nested line)."""
        parts = [self.texts[index]]
        depth = self.depths[index]
        position = index - 1
        while depth > base_depth and position >= 0:
            if self.depths[position] < depth:
                parts.append(self.texts[position])
                depth = self.depths[position]
            position -= 1
        return PATH_SEPARATOR.join(reversed(parts))


def parse(text: str, blocks: str = "indent", comment: str = "!") -> ParsedConfig:
    """The configuration ``text`` as nested lines, in the block structure ``blocks`` (a Profile.blocks value)."""
    if blocks == "braces":
        texts, depths, leaves = _brace_lines(text)
    elif blocks == "fortios":
        texts, depths, leaves = _fortios_lines(text)
    else:
        texts, depths, leaves = _indent_lines(text, comment or "!")
    return ParsedConfig(texts, depths, frozenset(leaves))


def _indent_lines(text: str, comment: str) -> Tuple[List[str], List[int], List[int]]:
    texts: List[str] = []
    depths: List[int] = []
    indents: List[int] = []
    banner_text: List[int] = []
    lines = text.split("\n")
    position = 0
    while position < len(lines):
        raw = lines[position].rstrip()
        position += 1
        body = raw.lstrip()
        if not body or body.startswith(comment):
            continue
        indent = len(raw) - len(body)
        while indents and indents[-1] >= indent:
            indents.pop()
        depth = len(indents)
        indents.append(indent)
        texts.append(body)
        depths.append(depth)
        if depth == 0 and body.startswith("banner"):
            banner = _BANNER.match(body)
            if banner:
                before = len(texts)
                position = _banner_text(lines, position, banner.group(1) or "", texts, depths)
                banner_text.extend(range(before, len(texts)))
    return texts, depths, banner_text


def _banner_text(lines: List[str], position: int, rest: str, texts: List[str], depths: List[int]) -> int:
    """Add a banner's text as the children of its line; the index of the first line after the banner.

    A banner whose end is not found is taken as one line: the lines after it are parsed as
    configuration, rather than swallowed as banner text.
    """
    if not rest:  # EOS: the text follows on its own lines, up to a line "EOF"
        end = next((index for index in range(position, len(lines)) if lines[index].strip() == _EOS_BANNER_END), None)
        if end is None:
            return position
        body = lines[position:end]
        _add_banner_lines(body, texts, depths)
        return end + 1
    if rest.startswith(_IOS_BANNER_DELIMITER):
        delimiter, after = _IOS_BANNER_DELIMITER, rest[len(_IOS_BANNER_DELIMITER):]
    elif not rest[0].isalnum():
        delimiter, after = rest[0], rest[1:]
    else:
        return position  # ASA: "banner motd text", one line per banner line
    if delimiter in after:
        _add_banner_lines([after[:after.index(delimiter)]], texts, depths)
        return position
    end = next((index for index in range(position, len(lines)) if delimiter in lines[index]), None)
    if end is None:
        return position
    closing = lines[end]
    _add_banner_lines([after] + lines[position:end] + [closing[:closing.index(delimiter)]], texts, depths)
    return end + 1


def _add_banner_lines(body: List[str], texts: List[str], depths: List[int]) -> None:
    for line in body:
        line = line.strip()
        if line:
            texts.append(line)
            depths.append(1)


def _brace_lines(text: str) -> Tuple[List[str], List[int], List[int]]:
    texts: List[str] = []
    depths: List[int] = []
    leaves: List[int] = []
    depth = 0
    in_annotation = False
    for raw in text.split("\n"):
        body = raw.strip()
        if not body:
            continue
        if in_annotation:
            in_annotation = "*/" not in body
            continue
        if body.startswith("/*"):
            in_annotation = "*/" not in body
            continue
        if body.startswith("#"):
            continue
        if body.startswith("}"):
            depth = max(0, depth - 1)
            continue
        if body.endswith("{"):
            texts.append(body[:-1].rstrip())
            depths.append(depth)
            depth += 1
            continue
        leaves.append(len(texts))
        texts.append(_BRACE_LEAF_END.sub("", body))
        depths.append(depth)
    return texts, depths, leaves


def _fortios_lines(text: str) -> Tuple[List[str], List[int], List[int]]:
    texts: List[str] = []
    depths: List[int] = []
    leaves: List[int] = []
    opened: List[str] = []
    lines = text.split("\n")
    position = 0
    while position < len(lines):
        body = lines[position].strip()
        position += 1
        if not body or body.startswith("#"):
            continue
        if len(_UNESCAPED_QUOTE.findall(body)) % 2:
            # A quoted value over several lines (a certificate, a replacement message): one line.
            parts = [body]
            while position < len(lines):
                part = lines[position].strip()
                position += 1
                parts.append(part)
                if len(_UNESCAPED_QUOTE.findall(part)) % 2:
                    break
            body = " ".join(part for part in parts if part)
        word = body.split(None, 1)[0]
        if word in ("next", "end"):
            _close(opened, "edit" if word == "next" else "config")
            continue
        if word in ("config", "edit"):
            opened.append(word)
            depths.append(len(opened) - 1)
        else:
            leaves.append(len(texts))
            depths.append(len(opened))
        texts.append(body)
    return texts, depths, leaves


def _close(opened: List[str], kind: str) -> None:
    """Close the innermost open block of ``kind`` (and any block left open inside it)."""
    if kind not in opened:
        return
    while opened and opened.pop() != kind:
        pass
