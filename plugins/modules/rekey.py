#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.rekey module: argument spec and docs; the work is in module_utils._manage._rekey."""

from __future__ import annotations

DOCUMENTATION = r"""
module: rekey
short_description: Re-seal the stored credential passwords and configuration originals under the current encryption key
version_added: 0.1.0
description:
  - Finishes an encryption key rotation. With the new passphrase in O(encryption_key) (or E(NETRAVEN_ENCRYPTION_KEY))
    and the old ones in the E(NETRAVEN_ENCRYPTION_OLD_KEYS) environment variable (one per line), every stored
    password that only an old passphrase opens is encrypted again under the new one. Afterwards
    the old passphrases can be dropped.
  - It is the one way to adopt a new key. The database records which passphrase is its key (a check value in the
    C(install_secrets) table, never the key), and every other task refuses a key that does not match the record, in
    one line. This task re-seals with the configured keys, then records the new key, in the same transaction. The
    recorded key must be the current one or one of the old ones; otherwise the task fails and writes nothing, so
    that a mistyped key alone cannot replace it. A key that still lists the old ones after a comma is refused too.
  - A database that has recorded no key yet (created before this check) records the current key.
  - It also upgrades the sealing format. Passwords sealed by release 0.1 (format version 1, with 100,000
    PBKDF2 rounds and a salt shared by every install) are sealed again at version 2 (600,000 rounds and the
    random salt of this database), even when the passphrase did not change. Run it once after upgrading.
  - The device passwords themselves are not needed and do not change.
  - The sealed originals of stored configurations (see O(netraven.netraven.backup#module:keep_original)) are
    re-sealed in the same transaction, streamed and in batches.
  - All or nothing. When no configured passphrase opens some stored password or original, the task fails
    naming those credentials and configurations and re-seals none.
  - A row is rewritten only if it still holds the value read, so a value changed meanwhile is left as it is.
  - A re-run changes nothing once every value is sealed under the current key at the current version.
author:
  - NetRaven developers (@netraven)
options: {}
extends_documentation_fragment:
  - netraven.netraven.database
  - netraven.netraven.database.encryption
  - netraven.netraven.attributes
  - netraven.netraven.attributes.no_diff
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    details:
      - Reports which credentials would be re-sealed and whether the key would be recorded, and writes nothing.
notes:
  - Results name the credentials and count the originals, never a password, a configuration or a ciphertext.
seealso:
  - module: netraven.netraven.credential
"""

EXAMPLES = r"""
# NETRAVEN_ENCRYPTION_KEY="new passphrase" NETRAVEN_ENCRYPTION_OLD_KEYS="old passphrase" ansible-playbook rekey.yml
- name: Re-seal every stored password under the new passphrase
  netraven.netraven.rekey:
  register: rekeyed

- name: Say when the old passphrase can go
  ansible.builtin.debug:
    msg: "{{ rekeyed.msg }}: the old passphrase can now be removed from NETRAVEN_ENCRYPTION_OLD_KEYS"
"""

RETURN = r"""
rekeyed:
  description: Names of the credentials whose passwords were (in check mode, would be) re-sealed.
  returned: success
  type: list
  elements: str
  sample: [netops, fallback]
current:
  description: How many credentials were already sealed under the current key, at the current version.
  returned: success
  type: int
  sample: 1
total:
  description: How many credentials the database holds.
  returned: success
  type: int
  sample: 3
originals_rekeyed:
  description: How many sealed configuration originals were (in check mode, would be) re-sealed.
  returned: success
  type: int
  sample: 120
originals_current:
  description: How many sealed configuration originals were already sealed under the current key.
  returned: success
  type: int
  sample: 0
originals_total:
  description: How many configuration versions keep a sealed original.
  returned: success
  type: int
  sample: 120
key_adopted:
  description: Whether the current key was (in check mode, would be) recorded as the install's key.
  returned: success
  type: bool
  sample: true
"""

from typing import TYPE_CHECKING, Any, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule
from ansible_collections.netraven.netraven.plugins.module_utils._manage._rekey import rekey_credentials

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule, Result

# The module and its action plugin (plugins/action/rekey.py, which runs handler in the controller's
# worker) share the spec, the rules and the handler.
ARGUMENT_SPEC = NetRavenModule.argspec(encryption=True)
RULES: Dict[str, Any] = {}


def handler(mod: HandlerModule) -> Result:
    """The module's work, given a NetRavenModule or the action's InProcessModule."""
    return rekey_credentials(mod.engine, mod.secret_box(adopting=True), check_mode=mod.check_mode)


def main() -> None:
    """Entry point."""
    NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES).run(handler)


if __name__ == "__main__":
    main()
