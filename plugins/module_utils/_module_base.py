# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base every netraven.netraven module builds on.

Modules stay thin: an argument spec, then a call into the core. This class adds the
shared database (and encryption) options, checks the libraries, opens the engine,
and turns any NetRavenError into a one-line ``fail_json`` without a traceback.
"""

from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import (
    CRYPTOGRAPHY_IMPORT_ERROR,
    HAS_CRYPTOGRAPHY,
    KEY_ENV,
    secret_box,
)
from ansible_collections.netraven.netraven.plugins.module_utils._database import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._models import (
    HAS_SQLALCHEMY,
    SQLALCHEMY_IMPORT_ERROR,
)

DATABASE_ARGSPEC = {
    "db_url": {"type": "str", "required": False, "no_log": True},
}

ENCRYPTION_ARGSPEC = {
    "encryption_key": {"type": "str", "required": False, "no_log": True},
}


class NetRavenModule(AnsibleModule):
    """AnsibleModule with the database options, library checks and one-line errors."""

    def __init__(self, argument_spec, uses_encryption=False, **kwargs):
        spec = dict(DATABASE_ARGSPEC)
        if uses_encryption:
            spec.update(ENCRYPTION_ARGSPEC)
        spec.update(argument_spec)
        super().__init__(argument_spec=spec, **kwargs)
        if not HAS_SQLALCHEMY:
            self.fail_json(msg=missing_required_lib("SQLAlchemy"), exception=SQLALCHEMY_IMPORT_ERROR)
        if uses_encryption and not HAS_CRYPTOGRAPHY:
            self.fail_json(msg=missing_required_lib("cryptography"), exception=CRYPTOGRAPHY_IMPORT_ERROR)
        self._engine = None

    @property
    def engine(self):
        """The database engine, created on first use from db_url / NETRAVEN_DB_URL."""
        if self._engine is None:
            self._engine = create_db_engine(self.params.get("db_url"))
        return self._engine

    def secret_box(self):
        """The SecretBox for encryption_key / NETRAVEN_ENCRYPTION_KEY."""
        return secret_box(self.params.get("encryption_key") or os.environ.get(KEY_ENV, ""))

    def run(self, handler):
        """Call handler(self) -> result dict, exit with it, or fail in one line on a NetRavenError."""
        try:
            result = handler(self)
        except NetRavenError as error:
            self.fail_json(msg=str(error))
        finally:
            if self._engine is not None:
                self._engine.dispose()
        self.exit_json(**result)
