# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding a job by id: the one check, and the one wording, that a job id names a job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Job
from ansible_collections.netraven.netraven.plugins.module_utils._errors import UnknownJobError

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session


def require_job(session: Union[Session, Connection], job_id: int) -> None:
    """Raise UnknownJobError unless job_id names a job (one indexed read; a Session or a Connection)."""
    if session.execute(sa.select(Job.id).where(Job.id == job_id)).first() is None:
        raise UnknownJobError(job_id)
