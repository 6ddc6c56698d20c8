# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credential metrics (docs/architecture.md: "Transactions and locks"): one atomic UPDATE per login attempt.

The seeds read a row, changed it in Python and wrote it back, which loses counts
when workers race. Here the database applies the rule in a single statement, so
the row lock (PostgreSQL) or the write lock (SQLite) serialises concurrent
attempts and every one of them counts:

    last_used = now
    success_rate = 1.0 / 0.0 when NULL, else 0.9 * rate + 0.1 (success) / 0.9 * rate (failure)
    success_count / failure_count += 1
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Optional, cast

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Credential
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import utcnow

from ansible_collections.netraven.netraven.plugins.module_utils._db._statements import Statement, Target

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy import Table, Update

EMA_KEEP = 0.9
EMA_WEIGHT = 0.1


def _metrics_update() -> Update:
    """The UPDATE that records one attempt of a credential: outcome is 1.0 (accepted) or 0.0 (rejected)."""
    table = cast("Table", Credential.__table__)  # a mapped class's table (typed as any FromClause)
    outcome = sa.bindparam("outcome", type_=sa.Float)
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("credential_id"))
        .values(
            last_used=sa.bindparam("now"),
            success_rate=sa.case(
                (table.c.success_rate.is_(None), outcome),
                else_=table.c.success_rate * EMA_KEEP + sa.bindparam("weighted", type_=sa.Float),
            ),
            success_count=table.c.success_count + sa.bindparam("successes", type_=sa.Integer),
            failure_count=table.c.failure_count + sa.bindparam("failures", type_=sa.Integer),
        )
    )


METRICS_UPDATE = Statement(_metrics_update)


def record_credential_attempt(session: Target, credential_id: Optional[int], success: bool,
                              now: Optional[datetime.datetime] = None) -> None:
    """Apply one attempt's outcome to a credential's metrics inside the caller's transaction."""
    if credential_id is None:
        return
    outcome = 1.0 if success else 0.0
    METRICS_UPDATE.execute(session, credential_id=credential_id, now=now or utcnow(), outcome=outcome,
                           weighted=EMA_WEIGHT * outcome, successes=1 if success else 0, failures=0 if success else 1)
