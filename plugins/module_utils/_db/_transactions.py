# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The short transactions of a backup, run again when the database certainly wrote nothing.

Fifty forks share the database, and a busy server now and then turns one of their
transactions away: PostgreSQL refuses a connection while its slots are full or it is
starting up, and aborts the transaction it picks as a deadlock victim or cannot
serialise. Giving up at once would lose the device's whole record (a configuration
already fetched included) over a moment's contention, so those transactions run again
after a short pause. Only failures that certainly wrote nothing are retried: an error
whose commit state is unknown (the connection lost mid-transaction) is reported at
once, because a second run could write the device's records twice.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Iterable, TypeVar

from ansible_collections.netraven.netraven.plugins.module_utils._db._driver_errors import DRIVER_VALUE_ERRORS, raise_driver_error
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY

if HAS_SQLALCHEMY:
    from sqlalchemy import exc as sa_exc
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

T = TypeVar("T")

# Seconds to wait before each new run; their count is the number of retries.
RETRY_PAUSES = (0.2, 0.5, 1.0)
# SQLSTATEs of a transaction the server rolled back itself: serialization_failure, deadlock_detected.
ROLLED_BACK_SQLSTATES = frozenset(("40001", "40P01"))
# A connection refused for a moment (libpq reports these without a SQLSTATE).
REFUSED_FOR_NOW = (
    "too many clients",
    "remaining connection slots are reserved",
    "the database system is starting up",
    "could not fork new process",
    "cannot assign requested address",
)


def wrote_nothing(error: BaseException, connecting: bool) -> bool:
    """True when a failed run certainly left the database unchanged, and is worth another try."""
    driver_error = getattr(error, "orig", None)
    if getattr(driver_error, "pgcode", None) in ROLLED_BACK_SQLSTATES:
        return True
    if connecting:
        text = str(driver_error or error).lower()
        return any(hint in text for hint in REFUSED_FOR_NOW)
    return False


def run_transaction(engine: Engine, work: Callable[[Connection], T], pauses: Iterable[float] = RETRY_PAUSES) -> T:
    """Return work(connection) run in one committed transaction on a Core connection.

    A failure that wrote nothing is retried after each pause in turn; any other driver
    error, or the last one, becomes a one-line DatabaseUnavailableError, and a value the
    driver cannot send a one-line DatabaseValueError. Exceptions
    that work raises itself (a NetRavenError, say) pass through untouched.
    """
    remaining = iter(pauses)
    while True:
        connecting = True
        try:
            with engine.connect() as connection:
                connecting = False
                with connection.begin():
                    return work(connection)
        except sa_exc.DBAPIError as error:
            pause = next(remaining, None)
            if pause is None or not wrote_nothing(error, connecting):
                raise_driver_error(error, engine)
        except DRIVER_VALUE_ERRORS as error:
            raise_driver_error(error, engine)  # Never retried: the value would fail again.
        time.sleep(pause)
