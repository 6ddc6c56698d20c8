# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions of the NetRaven core.

Every error a user can cause (bad URL, wrong key, unknown tag, unmigrated schema)
is a NetRavenError whose message is one line, names the culprit and never carries
a secret: modules and plugins show ``str(error)`` as is, without a traceback.
"""

from __future__ import annotations

import re
from typing import Collection, Sequence

# Control characters (C0, DEL, C1) and lone surrogates: a message shows them as escapes.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def one_line(text: str) -> str:
    """text as one printable line: each control character or lone surrogate written as its escape (\\n, \\x00).

    A message quotes the user's value to name the culprit; a newline in that value must not
    split the message, nor a NUL or a lone surrogate make it unprintable.
    """
    return _UNPRINTABLE.sub(lambda match: match.group(0).encode("unicode_escape").decode("ascii"), text)


SHORT_VALUE_LENGTH = 64


def short_value(value: object, limit: int = SHORT_VALUE_LENGTH) -> str:
    """A user's value as one short line for a message: whitespace runs (newlines included) as one space, cut at limit.

    For values that name the culprit (a device type, a platform name) but may be anything the
    user typed or the database holds, a whole configuration included.
    """
    return " ".join(str(value).split())[:limit]


class NetRavenError(Exception):
    """Base class: a one-line, secret-free message meant for the user.

    The message is made one line here (one_line), whatever value it quotes.
    """

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (one_line(args[0]),) + args[1:]
        super().__init__(*args)


class DatabaseConfigError(NetRavenError):
    """The database URL is malformed or names a driver that is not installed."""


class DatabaseUnavailableError(NetRavenError):
    """The database could not be reached or answered with an error."""


class SchemaNotReadyError(NetRavenError):
    """The database has no NetRaven schema, or an older one than this collection needs."""


class EncryptionKeyError(NetRavenError):
    """NETRAVEN_ENCRYPTION_KEY is missing or cannot open a stored secret."""


class JobClosedError(NetRavenError):
    """A device's records were refused: its job is closed (final), or its result was already written."""


class ValidationError(NetRavenError):
    """User input is invalid (unknown tag, device type, duplicate address, ...)."""


class UnknownJobError(ValidationError):
    """A job id that names no job: a joined job, an inventory's job_id, device_info's job_id."""

    def __init__(self, job_id: object) -> None:
        super().__init__("Job %s does not exist in the NetRaven database" % job_id)


class DatabaseValueError(ValidationError):
    """The database driver cannot send a value: a number too large, text that is not valid Unicode, a NUL."""


class MissingLibraryError(NetRavenError):
    """A Python library the collection needs is not installed on the controller."""


def unknown_tags_message(unknown: list[str], option: str | None = None) -> str:
    """'Unknown tag: a' or 'Unknown tags: a, b' (with ' in <option>' when a module option named them).

    The one wording of this error, for the inventory, the job, config_info and the
    management modules alike (the latter add how to create the tags).
    """
    return "Unknown tag%s%s: %s" % ("s" if len(unknown) > 1 else "", " in %s" % option if option else "", ", ".join(unknown))


def refuse_unknown_tags(names: Sequence[str], known: Collection[str]) -> None:
    """Raise a ValidationError naming, in the order of names, every name that is not in known."""
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValidationError(unknown_tags_message(unknown))
