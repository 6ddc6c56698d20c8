# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the collection's Alembic migrations in-process.

The ``migrations/`` folder ships inside the built collection, so an installed copy
(AWX users have no checkout) can bring any database to the current schema through
the ``migrate`` action plugin, which runs on the controller where these files exist.
"""

from __future__ import annotations

import os
import traceback
from typing import TYPE_CHECKING, Callable, List, Optional, Tuple, TypedDict

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._driver_errors import database_error
from ansible_collections.netraven.netraven.plugins.module_utils._db._url_masking import first_line, mask_text, mask_url
from ansible_collections.netraven.netraven.plugins.module_utils._db._locations import resolve_db_url
from ansible_collections.netraven.netraven.plugins.module_utils._errors import (
    MissingLibraryError,
    NetRavenError,
    SchemaNotReadyError,
)

try:
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
    from sqlalchemy import exc as sa_exc
    HAS_ALEMBIC = True
    ALEMBIC_IMPORT_ERROR = None
except ImportError:
    HAS_ALEMBIC = False
    ALEMBIC_IMPORT_ERROR = traceback.format_exc()
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# plugins/module_utils/_db/_migrations.py -> the collection root's migrations/
MIGRATIONS_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))), "migrations")


class MigrateResult(TypedDict):
    """What the migrate module returns (its RETURN documentation)."""

    changed: bool
    before: Optional[str]
    after: Optional[str]
    migrations: List[str]
    database: str


def _require_alembic() -> None:
    if not HAS_ALEMBIC:
        raise MissingLibraryError("Alembic is required on the controller to migrate the NetRaven database")


def alembic_config(db_url: Optional[str] = None, connection: Optional[Connection] = None) -> Config:
    """An Alembic Config for the shipped migrations and a URL (or an open connection)."""
    _require_alembic()
    if not os.path.isfile(os.path.join(MIGRATIONS_DIR, "env.py")):
        raise NetRavenError("The NetRaven migrations are missing from %s" % MIGRATIONS_DIR)
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    config.attributes["db_url"] = resolve_db_url(db_url)
    config.attributes["skip_logging_config"] = True
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(db_url: Optional[str] = None) -> Optional[str]:
    """The database's revision, or None when it has no NetRaven schema yet."""
    _require_alembic()
    engine = create_db_engine(db_url, check_schema=False)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except sa_exc.DBAPIError as error:
        raise database_error(error, engine) from None
    finally:
        engine.dispose()


def plan_upgrade(db_url: Optional[str] = None, revision: str = "head") -> Tuple[Optional[str], List[str]]:
    """(current, pending): the database's revision and the revisions an upgrade would apply, oldest first.

    The migrate action uses it to report ``changed`` (and to honour check mode) without
    touching the schema. A database already at or beyond the target has nothing pending.
    """
    config = alembic_config(db_url)  # first: it reports a missing Alembic in one line
    script = ScriptDirectory.from_config(config)
    known = [entry.revision for entry in script.walk_revisions()]
    try:
        target = script.get_revision(revision)
    except CommandError:
        raise NetRavenError("Unknown schema revision '%s': this collection knows head, base and %s" % (
            revision, ", ".join(reversed(known)))) from None
    current = current_revision(db_url)
    if current is not None and current not in known:
        raise SchemaNotReadyError(
            "Database %s is at schema revision %s, which this collection does not know: "
            "it was migrated by a newer netraven.netraven" % (mask_url(resolve_db_url(db_url)), current))
    if target is None:
        return current, []
    if current is not None and target.revision in {entry.revision for entry in script.iterate_revisions(current, "base")}:
        return current, []
    pending = [entry.revision for entry in script.iterate_revisions(target.revision, current or "base")]
    return current, list(reversed(pending))


def _run_command(operation: Callable[[Config, str], None], db_url: Optional[str], revision: str) -> None:
    """Run an Alembic command; driver and Alembic errors become one-line, password-free errors."""
    url = resolve_db_url(db_url)
    try:
        operation(alembic_config(db_url), revision)
    except sa_exc.DBAPIError as error:
        raise database_error(error, url) from None
    except CommandError as error:
        raise NetRavenError("Cannot migrate database %s to revision %s: %s" % (
            mask_url(url), revision, mask_text(first_line(error), url))) from None


def upgrade(db_url: Optional[str] = None, revision: str = "head") -> Tuple[Optional[str], Optional[str]]:
    """Migrate the database up to revision; returns (before, after)."""
    _require_alembic()
    before = current_revision(db_url)
    _run_command(command.upgrade, db_url, revision)
    return before, current_revision(db_url)


def migrate(db_url: Optional[str] = None, revision: str = "head", check_mode: bool = False) -> MigrateResult:
    """The migrate action's work: upgrade to revision (or only report, in check mode).

    Returns changed, the revisions before and after, the migrations applied (or pending
    in check mode) oldest first, and the database's URL with its password masked.
    """
    before, pending = plan_upgrade(db_url, revision)
    after = before
    if pending:
        after = pending[-1] if check_mode else upgrade(db_url, revision)[1]
    return {
        "changed": bool(pending),
        "before": before,
        "after": after,
        "migrations": pending,
        "database": mask_url(resolve_db_url(db_url)),
    }


def downgrade(db_url: Optional[str] = None, revision: str = "base") -> Tuple[Optional[str], Optional[str]]:
    """Migrate the database down to revision (tests and rollbacks); returns (before, after)."""
    _require_alembic()
    before = current_revision(db_url)
    _run_command(command.downgrade, db_url, revision)
    return before, current_revision(db_url)
