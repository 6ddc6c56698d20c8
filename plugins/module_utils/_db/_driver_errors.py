# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Driver exceptions as the one-line, password-free NetRavenErrors they mean (unavailable; a value refused)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn, Union

from ansible_collections.netraven.netraven.plugins.module_utils._db._url_masking import first_line, mask_text, mask_url
from ansible_collections.netraven.netraven.plugins.module_utils._errors import DatabaseUnavailableError, DatabaseValueError
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY

if HAS_SQLALCHEMY:
    from sqlalchemy import exc as sa_exc
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# Where the error happened: an engine, or the URL it was made from.
EngineOrUrl = Union["Engine", str]


def database_error(error: BaseException, engine_or_url: EngineOrUrl) -> DatabaseUnavailableError:
    """Turn a driver exception into a one-line, password-free DatabaseUnavailableError."""
    url = engine_or_url if isinstance(engine_or_url, str) else engine_or_url.url.render_as_string(hide_password=False)
    detail = getattr(error, "orig", None) or error
    message = "Database %s is unavailable: %s" % (mask_url(url), mask_text(first_line(detail), url))
    return DatabaseUnavailableError(message)


# What a driver raises, outside DB-API's exception classes, for a value it cannot send:
# sqlite3 an OverflowError for an integer beyond 64 bits, both drivers a UnicodeEncodeError
# for a lone surrogate, psycopg2 a plain ValueError for a NUL in text. SQLAlchemy lets them
# through unwrapped.
DRIVER_VALUE_ERRORS = (ValueError, OverflowError, UnicodeError)
DRIVER_ERRORS = ((sa_exc.DBAPIError,) if HAS_SQLALCHEMY else ()) + DRIVER_VALUE_ERRORS
_DRIVER_PACKAGES = frozenset(("sqlalchemy", "sqlite3", "_sqlite3", "psycopg2", "psycopg"))


def raised_by_driver(error: BaseException) -> bool:
    """True when the innermost frame of error's traceback is SQLAlchemy's or a driver's.

    The drivers are C code, so their errors surface in SQLAlchemy's call into them; a
    ValueError of the collection's own code (a bug) keeps its traceback.
    """
    frame = error.__traceback__
    if frame is None:
        return False
    while frame.tb_next is not None:
        frame = frame.tb_next
    module = frame.tb_frame.f_globals.get("__name__") or ""
    return module.split(".", 1)[0] in _DRIVER_PACKAGES


def value_refused(error: BaseException, engine_or_url: EngineOrUrl) -> DatabaseValueError:
    """A driver's ValueError, OverflowError or UnicodeError as one line naming the value's problem."""
    url = engine_or_url if isinstance(engine_or_url, str) else engine_or_url.url.render_as_string(hide_password=False)
    return DatabaseValueError("Database %s refused a value: %s" % (
        mask_url(url), mask_text(first_line(error) or type(error).__name__, url)))


def raise_driver_error(error: BaseException, engine_or_url: EngineOrUrl) -> NoReturn:
    """Raise error, caught as one of DRIVER_ERRORS, as the one-line NetRavenError it means.

    A value the driver or the server refused (DB-API's DataError, a driver's value error)
    becomes DatabaseValueError, any other DB-API error DatabaseUnavailableError; a value
    error of the collection's own code is raised again as is.
    """
    if isinstance(error, sa_exc.DataError):  # SQLSTATE class 22: the server refused a value (integer out of range)
        raise value_refused(error.orig or error, engine_or_url) from None
    if isinstance(error, sa_exc.DBAPIError):
        raise database_error(error, engine_or_url) from None
    if raised_by_driver(error):
        raise value_refused(error, engine_or_url) from None
    raise error
