"""Reading README.md's code blocks, and the directives that tell test_readme.py what to do with them.

A fenced block may be preceded by one HTML comment (invisible on GitHub):

* ``<!-- file: docs/examples/X -->``: the block is that file, verbatim.
* ``<!-- readme-test: in-checkout -->``: a bash block that runs from the collection's checkout.
* ``<!-- readme-test: skip (why) -->``: a bash block this test does not run (``make demo`` and
  ``make test``, which are exercised by test_demo.py and by CI).

Every other bash block runs in the user's project directory, where the example files are.
"""

import os
import re
from dataclasses import dataclass

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(REPO_ROOT, "README.md")
EXAMPLES_DIR = os.path.join(REPO_ROOT, "docs", "examples")

_FENCE = re.compile(r"^```(\S*)\s*$")
_DIRECTIVE = re.compile(r"^<!--\s*(file|readme-test):\s*(.*?)\s*-->$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: language, text (with its final newline), directive, first line number."""

    lang: str
    text: str
    kind: str | None
    arg: str | None
    line: int

    @property
    def where(self):
        return "README.md:%d" % self.line


def blocks(path=README):
    """Every fenced block of the file, in order."""
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    found = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        start = index
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if end == len(lines):
            raise AssertionError("README.md:%d: unclosed code block" % (start + 1))
        previous = next((line.strip() for line in reversed(lines[:start]) if line.strip()), "")
        directive = _DIRECTIVE.match(previous)
        found.append(Block(lang=match.group(1), text="\n".join(lines[start + 1:end]) + "\n",
                           kind=directive.group(1) if directive else None,
                           arg=directive.group(2) if directive else None, line=start + 1))
        index = end + 1
    return found


def file_blocks():
    """{relative path: Block} of the blocks that are example files."""
    return {block.arg: block for block in blocks() if block.kind == "file"}


def command_blocks():
    """The bash blocks, in README order."""
    return [block for block in blocks() if block.lang == "bash"]


def commands(block):
    """The command lines of a bash block (no comments, no blank lines)."""
    return [line for line in block.text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
