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

from ansible_collections.netraven.netraven.plugins.module_utils._models import (
    HAS_SQLALCHEMY,
    Credential,
    utcnow,
)

if HAS_SQLALCHEMY:
    import sqlalchemy as sa

EMA_KEEP = 0.9
EMA_WEIGHT = 0.1


def metrics_update(credential_id: int, success: bool, now=None):
    """The UPDATE statement that records one attempt of a credential."""
    table = Credential.__table__
    outcome = 1.0 if success else 0.0
    return (
        sa.update(table)
        .where(table.c.id == credential_id)
        .values(
            last_used=now or utcnow(),
            success_rate=sa.case(
                (table.c.success_rate.is_(None), sa.literal(outcome, sa.Float)),
                else_=table.c.success_rate * EMA_KEEP + EMA_WEIGHT * outcome,
            ),
            success_count=table.c.success_count + (1 if success else 0),
            failure_count=table.c.failure_count + (0 if success else 1),
        )
    )


def record_credential_attempt(session, credential_id: int, success: bool, now=None) -> None:
    """Apply one attempt's outcome to a credential's metrics inside the caller's transaction."""
    if credential_id is None:
        return
    session.execute(metrics_update(credential_id, success, now))
