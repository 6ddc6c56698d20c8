#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of netraven.netraven.migrate; the work runs in the action plugin.

The migrations live in the collection's ``migrations/`` folder on the controller, so the
schema upgrade runs there (action plugin), never on a managed node.
"""

from __future__ import annotations

DOCUMENTATION = r"""
module: migrate
short_description: Upgrade the NetRaven database schema
version_added: 0.1.0
description:
  - Brings the NetRaven database to the schema this collection needs, with the Alembic
    migrations shipped inside the collection (its C(migrations/) folder). No checkout is
    needed, so AWX and Automation Platform users can migrate from a job template.
  - An empty database gets the whole schema; a database already at (or beyond) the requested
    revision is left alone and the task reports no change.
  - The other modules and plugins of the collection refuse a database that is not migrated,
    naming this module in their error.
  - Runs on the controller (action plugin), where the collection and its migrations are installed.
author:
  - NetRaven developers (@netraven)
extends_documentation_fragment:
  - netraven.netraven.attributes.action
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - netraven.netraven.database
attributes:
  check_mode:
    support: full
    details: Reports whether migrations are pending (C(changed)) and which, without applying them.
  diff_mode:
    support: none
options:
  revision:
    description:
      - The Alembic revision to upgrade to. V(head) is the newest revision this collection ships.
      - A unique prefix of a revision id is enough, for example V(0002).
      - Downgrades are not done by this module; a database beyond O(revision) is left alone.
    type: str
    default: head
seealso:
  - name: Alembic
    description: The migration tool the collection's schema upgrades are written for.
    link: https://alembic.sqlalchemy.org/
notes:
  - The database URL's password never appears in results or messages.
  - Run it once before backups start; migrating a database while backups write to it is not supported.
  - From a checkout, C(alembic -c migrations/alembic.ini upgrade head) does the same.
requirements:
  - alembic >= 1.12
"""

EXAMPLES = r"""
- name: Upgrade the database named by NETRAVEN_DB_URL (or the embedded SQLite file)
  netraven.netraven.migrate:

- name: Upgrade a PostgreSQL database to the newest schema
  netraven.netraven.migrate:
    db_url: "postgresql+psycopg2://netraven:{{ netraven_db_password }}@db.example.com:5432/netraven"
  register: migration

- name: Only report whether the schema is behind
  netraven.netraven.migrate:
  check_mode: true
  register: schema

- name: Upgrade to a given revision
  netraven.netraven.migrate:
    revision: "0002"
"""

RETURN = r"""
before:
  description: The database's schema revision before the task, or V(null) for a database without the NetRaven schema.
  returned: always
  type: str
  sample: 0002_connection_log_credential
after:
  description:
    - The database's schema revision after the task.
    - In check mode, the revision the upgrade would reach.
  returned: always
  type: str
  sample: 0005_install_secrets
migrations:
  description: The revisions applied, oldest first (in check mode, the revisions that would be applied).
  returned: always
  type: list
  elements: str
  sample: [0004_config_original, 0005_install_secrets]
database:
  description: The database's URL, with its password masked.
  returned: always
  type: str
  sample: "postgresql+psycopg2://netraven:***@db.example.com:5432/netraven"
"""

from typing import Any, Dict

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netraven.netraven.plugins.module_utils._module_base import argspec

ARGUMENT_SPEC = argspec(revision={"type": "str", "default": "head"})
RULES: Dict[str, Any] = {}


def main() -> None:
    """The action plugin does the work; this entry point only validates arguments."""
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES)
    module.fail_json(msg="netraven.netraven.migrate runs as an action plugin on the controller")


if __name__ == "__main__":
    main()
