# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.config lookup: stored configurations for other playbooks, never templated."""

from __future__ import annotations

DOCUMENTATION = r"""
name: config
short_description: The stored (masked) configuration of devices
version_added: 0.1.0
description:
  - Returns the text NetRaven stored for each hostname (or device id) given, the latest by default.
  - Several terms return several texts, in order.
  - The text is returned marked unsafe, so Ansible never templates it. A stored
    C({{ lookup('pipe', ...) }}) comes back verbatim and runs nothing.
  - Runs on the controller only. See C(docs/history.md).
author:
  - NetRaven developers (@netraven)
options:
  _terms:
    description: Hostnames or ids of the devices.
    required: true
    type: list
    elements: str
  version:
    description: The version to return, 1 being the latest and 2 the one before.
    type: int
  config_id:
    description: The id of the stored configuration to return.
    type: int
  at:
    description: An ISO timestamp; returns the version in force at that time (UTC without a zone).
    type: str
  db_url:
    description:
      - SQLAlchemy URL of the NetRaven database.
      - When not set, E(NETRAVEN_DB_URL), and when that is not set either, the embedded SQLite file.
    type: str
    env:
      - name: NETRAVEN_DB_URL
requirements:
  - SQLAlchemy >= 2.0
  - psycopg2 (for PostgreSQL)
"""

EXAMPLES = r"""
- name: Show the latest stored configuration of core-1
  ansible.builtin.debug:
    msg: "{{ lookup('netraven.netraven.config', 'core-1') }}"

- name: The version before the latest of two devices
  ansible.builtin.set_fact:
    previous: "{{ query('netraven.netraven.config', 'core-1', 'edge-1', version=2) }}"
"""

RETURN = r"""
_raw:
  description: The stored (masked) text of each device, marked unsafe.
  type: list
  elements: str
"""

from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.netraven.netraven.plugins.module_utils._history._versions import read_text
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


class LookupModule(LookupBase):
    """Reads stored configurations; the texts come back unsafe so they are never templated."""

    def run(self, terms: List[Any], variables: Optional[Dict[str, Any]] = None, **kwargs: Any) -> List[Any]:
        if not HAS_SQLALCHEMY:
            raise AnsibleError("The netraven.netraven.config lookup needs SQLAlchemy on the controller")
        self.set_options(var_options=variables, direct=kwargs)
        engine: Optional[Engine] = None
        try:
            engine = create_db_engine(self.get_option("db_url"))
            return [wrap_var(read_text(engine, str(term), self.get_option("version"),
                                       self.get_option("config_id"), self.get_option("at")))
                    for term in terms]
        except NetRavenError as error:
            raise AnsibleLookupError(str(error)) from None
        finally:
            if engine is not None:
                engine.dispose()
