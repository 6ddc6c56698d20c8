# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Regexes written by users, run against text written by devices, that cannot stall the controller.

A search pattern, a compliance rule or a user's platform profile is the user's regex, and
the configuration it runs on is the device's text: Python's ``re`` can backtrack for minutes
on one line (``^description (\\w+\\s?)+$`` takes four times longer for every two more
characters). The ``regex`` package (mrab-regex, the module ``re`` was modelled on) takes a
``timeout`` on every match, so each match is bounded: a pattern that exceeds it on one line
is refused in one line naming it, rather than left to run. It also backtracks less than
``re`` on many such patterns, which then simply return. The built-in profiles' own patterns
are known and keep ``re``.
"""

from __future__ import annotations

import traceback
from typing import Any, Iterator, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._errors import MissingLibraryError, ValidationError

try:
    import regex
    HAS_REGEX = True
    REGEX_IMPORT_ERROR = None
except ImportError:
    HAS_REGEX = False
    REGEX_IMPORT_ERROR = traceback.format_exc()

# Seconds one match may take on one line. A sane pattern takes microseconds on a configuration
# line; a catastrophic one is caught after this, once, and refused.
LINE_TIMEOUT = 0.25
# How much of a pattern a message quotes.
MAX_PATTERN_SHOWN = 120


class RegexTimeoutError(ValidationError):
    """A user's regex took longer than LINE_TIMEOUT on one line: refused, naming the pattern."""


def _shown(pattern: str) -> str:
    return pattern if len(pattern) <= MAX_PATTERN_SHOWN else pattern[:MAX_PATTERN_SHOWN] + "..."


class BoundedRegex:
    """A compiled user regex whose every match is bounded by LINE_TIMEOUT.

    ``what`` names where the pattern came from ("search", "rule 'ntp' must_contain"), for the
    messages: an invalid pattern is a ValidationError at construction, a pattern that runs
    away a RegexTimeoutError at the match that ran away.
    """

    def __init__(self, pattern: str, what: str, flags: int = 0, timeout: float = LINE_TIMEOUT) -> None:
        if not HAS_REGEX:
            raise MissingLibraryError("The Python library 'regex' is required on the controller for %s: "
                                      "pip install -r requirements.txt from the netraven.netraven collection" % what)
        self.pattern = pattern
        self.what = what
        self.timeout = timeout
        try:
            self._compiled = regex.compile(pattern, flags | regex.VERSION0)
        except (regex.error, TypeError, ValueError, OverflowError) as error:
            raise ValidationError("Invalid regex for %s '%s': %s" % (what, _shown(pattern), error)) from None

    @property
    def groupindex(self) -> Any:
        """The pattern's named groups (name -> number), as re.Pattern.groupindex."""
        return self._compiled.groupindex

    def _refused(self) -> RegexTimeoutError:
        return RegexTimeoutError(
            "The regex for %s '%s' took more than %g s on one line and was stopped: rewrite it without nested "
            "repetition such as (\\w+\\s?)+" % (self.what, _shown(self.pattern), self.timeout))

    def search(self, text: str, pos: int = 0) -> Optional[Any]:
        """The first match in text (a regex Match, with re.Match's API), or None."""
        try:
            return self._compiled.search(text, pos, timeout=self.timeout)
        except TimeoutError:
            raise self._refused() from None

    def match(self, text: str) -> Optional[Any]:
        """A match at the start of text, or None."""
        try:
            return self._compiled.match(text, timeout=self.timeout)
        except TimeoutError:
            raise self._refused() from None

    def fullmatch(self, text: str) -> Optional[Any]:
        """A match of the whole text, or None."""
        try:
            return self._compiled.fullmatch(text, timeout=self.timeout)
        except TimeoutError:
            raise self._refused() from None

    def finditer(self, text: str) -> Iterator[Any]:
        """Every match in text; the whole iteration is bounded by the timeout."""
        try:
            yield from self._compiled.finditer(text, timeout=self.timeout)
        except TimeoutError:
            raise self._refused() from None

    def sub(self, repl: Any, text: str, count: int = 0) -> str:
        """text with matches replaced, as re.sub."""
        try:
            return self._compiled.sub(repl, text, count=count, timeout=self.timeout)
        except TimeoutError:
            raise self._refused() from None
