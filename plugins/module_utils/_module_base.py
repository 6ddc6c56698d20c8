# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base every netraven.netraven module builds on.

Modules stay thin: an argument spec, then a call into the core. ``NetRavenModule.argspec``
builds that spec in the open, from the shared option groups (each matching a doc
fragment) and the module's own options; the class checks the libraries, opens the
engine, and turns any NetRavenError into a one-line ``fail_json`` without a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Protocol

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import (
    CRYPTOGRAPHY_IMPORT_ERROR,
    HAS_CRYPTOGRAPHY,
    SecretBox,
    secret_box_for,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._driver_errors import DRIVER_ERRORS, raise_driver_error
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, SQLALCHEMY_IMPORT_ERROR

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# One option of an argument spec (type, required, default, no_log, elements, options, ...), and a whole spec.
OptionSpec = Dict[str, Any]
ArgSpec = Dict[str, OptionSpec]
# A module's result, as exit_json takes it.
Result = Dict[str, Any]

# Each option group below matches the doc fragment named beside it, so the spec and the docs
# are written once each and sanity's validate-modules proves they agree.

# netraven.netraven.database
DATABASE_ARGSPEC: ArgSpec = {
    "db_url": {"type": "str", "required": False, "no_log": True},
}

# netraven.netraven.database.encryption
ENCRYPTION_ARGSPEC: ArgSpec = {
    "encryption_key": {"type": "str", "required": False, "no_log": True},
}

# netraven.netraven.tagging
TAGGING_ARGSPEC: ArgSpec = {
    "tags": {"type": "list", "elements": "str"},
    "purge_tags": {"type": "bool", "default": True},
    "create_tags": {"type": "bool", "default": False},
}


def argspec(encryption: bool = False, tagging: bool = False, **options: OptionSpec) -> ArgSpec:
    """A module's whole argument spec: the database option, the groups asked for, then its own options.

    A plain function (also ``NetRavenModule.argspec``) so that the action plugins, which
    validate their arguments without an AnsibleModule, build their spec the same way.
    A module's own option may not redefine a shared one: that is a bug, raised at once.
    """
    spec = dict(DATABASE_ARGSPEC)
    if encryption:
        spec.update(ENCRYPTION_ARGSPEC)
    if tagging:
        spec.update(TAGGING_ARGSPEC)
    clash = sorted(set(spec) & set(options))
    if clash:
        raise ValueError("argspec: %s redefine shared options" % ", ".join(clash))
    spec.update(options)
    return spec


class DatabaseAccess:
    """The engine and SecretBox of params' db_url / encryption_key, for a handler in a module or in the worker.

    NetRavenModule and the actions' InProcessModule (plugin_utils._controller_module) both
    give a handler these; run_handler disposes the engine afterwards.
    """

    params: Dict[str, Any]
    _engine: Optional[Engine] = None

    @property
    def engine(self) -> Engine:
        """The database engine, created on first use from db_url / NETRAVEN_DB_URL."""
        if self._engine is None:
            self._engine = create_db_engine(self.params.get("db_url"))
        return self._engine

    def secret_box(self, adopting: bool = False) -> SecretBox:
        """The SecretBox of the database (its install salt) for encryption_key / NETRAVEN_ENCRYPTION_KEY.

        The key must be the install's (_key_check); adopting=True is the rekey module's alone.
        """
        return secret_box_for(self.engine, self.params.get("encryption_key"), adopting=adopting)

    def dispose_engine(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


class HandlerModule(Protocol):
    """What a module's handler may use: a NetRavenModule, or the actions' InProcessModule."""

    params: Dict[str, Any]
    check_mode: bool
    no_log: bool
    _diff: bool

    @property
    def engine(self) -> Engine: ...

    def secret_box(self, adopting: bool = False) -> SecretBox: ...

    def warn(self, warning: str) -> None: ...

    def dispose_engine(self) -> None: ...


# A module file's handler: its work, given the module (or the action's stand-in), returning the result.
Handler = Callable[[HandlerModule], Result]


def run_handler(handler: Handler, module: HandlerModule) -> Result:
    """handler(module) -> its result, the engine disposed after.

    A driver error that a handler let through (a read on its own connection) is turned into
    its one-line NetRavenError; any other exception keeps its traceback.
    """
    try:
        try:
            return handler(module)
        except DRIVER_ERRORS as error:
            raise_driver_error(error, module.engine)
    finally:
        module.dispose_engine()


class NetRavenModule(DatabaseAccess, AnsibleModule):
    """AnsibleModule with library checks, the engine and one-line errors; the spec comes from argspec()."""

    argspec = staticmethod(argspec)

    def __init__(self, argument_spec: ArgSpec, **kwargs: Any) -> None:
        super().__init__(argument_spec=argument_spec, **kwargs)
        if not HAS_SQLALCHEMY:
            self.fail_json(msg=missing_required_lib("SQLAlchemy"), exception=SQLALCHEMY_IMPORT_ERROR)
        if "encryption_key" in argument_spec and not HAS_CRYPTOGRAPHY:
            self.fail_json(msg=missing_required_lib("cryptography"), exception=CRYPTOGRAPHY_IMPORT_ERROR)
        self._engine = None

    def run(self, handler: Handler) -> None:
        """Call handler(self) (run_handler), exit with its result, or fail in one line on a NetRavenError."""
        try:
            result = run_handler(handler, self)
        except NetRavenError as error:
            self.fail_json(msg=str(error))
        self.exit_json(**result)
