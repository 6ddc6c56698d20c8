#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.credential module: argument spec and docs; the work is in module_utils._manage._credentials."""

from __future__ import annotations

DOCUMENTATION = r"""
module: credential
short_description: Manage device login credentials in the NetRaven database
version_added: 0.1.0
description:
  - Create, update or delete a credential that backups try on devices, or that logs in to a jump host.
  - A credential is tried on every device it shares a tag with, lowest O(priority) first.
  - The password, the enable secret, the private key and its passphrase are stored encrypted with
    the encryption key, and never shown in results, diffs or messages. They are written only on
    creation, or on every run with O(update_password=always) when they differ from the stored ones
    (compared by decrypting the stored values), so re-running the task reports no change.
  - Options left out are not changed on an existing credential.
author:
  - NetRaven developers (@netraven)
options:
  name:
    description:
      - Name of the credential; it identifies the credential and must be unique.
      - Defaults to O(username). Name the credentials explicitly when one username has several
        passwords (for example the old and the new one during a rotation).
      - One of O(name) and O(username) is required.
    type: str
  username:
    description:
      - Login name. Required to create a credential.
    type: str
  password:
    description:
      - Login password. Required to create a credential unless O(private_key) is given (a key-only login);
        an empty password is refused.
      - With both, the key is offered first, then the password, as OpenSSH does.
      - See O(update_password) for when it is written to an existing credential.
    type: str
  enable_secret:
    description:
      - The password of privileged (enable) mode, when it differs from the login password.
      - Not set, the login password is the enable secret.
      - A device that rejects it rejects the credential (C(enable rejected)), and the backup moves on to the next
        credential of the chain. An account that lands unprivileged and cannot enable does the same.
      - Encrypted at rest like O(password), never shown; see O(update_password) for when it is written. With
        O(update_password=always), an empty string removes it.
    type: str
  private_key:
    description:
      - An SSH private key (RSA, ECDSA or Ed25519) as text, OpenSSH (C(-----BEGIN OPENSSH PRIVATE KEY-----)) or
        PEM, for example C("{{ lookup('ansible.builtin.file', 'keys/netops_ed25519') }}").
      - Checked when written (a key that cannot be read, or that its passphrase does not open, is refused);
        encrypted at rest like O(password), never written to a file, never shown.
      - See O(update_password) for when it is written. With O(update_password=always), an empty string removes it.
    type: str
  private_key_passphrase:
    description:
      - The passphrase of an encrypted O(private_key). Encrypted at rest, never shown.
      - See O(update_password) for when it is written. With O(update_password=always), an empty string removes it.
    type: str
  update_password:
    description:
      - V(on_create) writes O(password), O(enable_secret), O(private_key) and O(private_key_passphrase) only when
        the task creates the credential.
      - V(always) also replaces each stored one that differs from the task's value.
        Comparing decrypts the stored values, so the encryption key must open them.
    type: str
    choices: [always, on_create]
    default: on_create
  priority:
    description:
      - Order of trial on a device, lowest first. A new credential gets V(100) when this is not set.
    type: int
  description:
    description:
      - Human-readable description.
    type: str
  is_system:
    description:
      - Marks a built-in credential. A new credential is not a system one when this is not set.
    type: bool
  state:
    description:
      - V(present) creates or updates the credential.
      - V(absent) deletes it. Devices that last logged in with it and the connection logs that
        name it keep their history without the link. A credential that logs in to a jump host is not
        deleted (the jump hosts are named).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - netraven.netraven.database
  - netraven.netraven.tagging
  - netraven.netraven.database.encryption
  - netraven.netraven.attributes
  - netraven.netraven.attributes.diff
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  diff_mode:
    details:
      - The diff shows a marker (C(password), C(enable_secret), C(private_key), C(private_key_passphrase)) for each
        secret written, never the secret.
notes:
  - The encryption key is needed only when a password is written or compared.
  - When a loop creates credentials, keep the passwords out of the loop items and look them up by name
    in a vaulted dictionary, as in the examples. Ansible shows loop items in verbose output, and
    O(password) being secret does not hide them there.
seealso:
  - module: netraven.netraven.tag
  - module: netraven.netraven.device
  - module: netraven.netraven.jump_host
"""

EXAMPLES = r"""
- name: The usual admin login for the Paris devices
  netraven.netraven.credential:
    username: admin
    password: "{{ vault_paris_admin_password }}"
    priority: 10
    tags: [site-paris]

- name: A fallback account, tried after the others; keep its password in sync with the vault
  netraven.netraven.credential:
    name: backup-fallback
    username: netbackup
    password: "{{ vault_netbackup_password }}"
    update_password: always
    priority: 500
    tags: [site-paris, site-lyon]

- name: Several credentials from a list; the passwords come from a vaulted dictionary keyed by name
  netraven.netraven.credential:
    name: "{{ item.name }}"
    username: "{{ item.username }}"
    password: "{{ vault_netraven_passwords[item.name] }}"
    priority: "{{ item.priority }}"
    tags: "{{ item.tags }}"
  loop: "{{ netraven_credentials }}"
  loop_control:
    label: "{{ item.name }}"

- name: A key-only login with its own enable secret (both from the vault)
  netraven.netraven.credential:
    name: netops-key
    username: netops
    private_key: "{{ vault_netops_private_key }}"
    private_key_passphrase: "{{ vault_netops_key_passphrase }}"
    enable_secret: "{{ vault_enable_secret }}"
    priority: 5
    tags: [site-paris]

- name: The login of the Lyon bastion (a jump host, not a device)
  netraven.netraven.credential:
    name: lyon-bastion-login
    username: netraven
    private_key: "{{ vault_bastion_key }}"

- name: Retire a credential
  netraven.netraven.credential:
    name: backup-fallback
    state: absent
"""

RETURN = r"""
credential:
  description:
    - The credential after the task (empty when O(state=absent)), without its password.
    - RV(credential.id) is null for a credential check mode would create.
  returned: always
  type: dict
  contains:
    id:
      description: Database id.
      type: int
      sample: 2
    name:
      description: Name.
      type: str
      sample: admin
    username:
      description: Login name.
      type: str
      sample: admin
    priority:
      description: Order of trial, lowest first.
      type: int
      sample: 10
    description:
      description: Description.
      type: str
    is_system:
      description: Whether it is a built-in credential.
      type: bool
      sample: false
    tags:
      description: Tag names, sorted.
      type: list
      elements: str
      sample: [site-paris]
    last_used:
      description: When a backup last tried it (ISO 8601), or null.
      type: str
    success_rate:
      description: Moving success rate of its login attempts, or null before the first one.
      type: float
      sample: 0.9
    success_count:
      description: Successful login attempts.
      type: int
      sample: 41
    failure_count:
      description: Failed login attempts.
      type: int
      sample: 2
password_changed:
  description: Whether the task wrote (or in check mode would write) the password.
  returned: always
  type: bool
  sample: false
secrets_changed:
  description:
    - The secrets the task wrote (or in check mode would write, or removed), by option name; never their values.
  returned: always
  type: list
  elements: str
  sample: [enable_secret]
created_tags:
  description: Tags the task created (or would create in check mode) because of O(create_tags).
  returned: always
  type: list
  elements: str
  sample: []
"""

from typing import TYPE_CHECKING, Any, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._manage._credentials import ensure_credential
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import module_result
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule, Result


# The module and its action plugin (plugins/action/credential.py, which runs handler in the controller's
# worker) share the spec, the rules and the handler.
ARGUMENT_SPEC = NetRavenModule.argspec(
    encryption=True,
    tagging=True,
    name={"type": "str"},
    username={"type": "str"},
    password={"type": "str", "no_log": True},
    enable_secret={"type": "str", "no_log": True},
    private_key={"type": "str", "no_log": True},
    private_key_passphrase={"type": "str", "no_log": True},
    update_password={"type": "str", "choices": ["always", "on_create"], "default": "on_create", "no_log": False},
    priority={"type": "int"},
    description={"type": "str"},
    is_system={"type": "bool"},
    state={"type": "str", "choices": ["present", "absent"], "default": "present"},
)
RULES: Dict[str, Any] = {"required_one_of": [("name", "username")]}


def handler(mod: HandlerModule) -> Result:
    """The module's work, given a NetRavenModule or the action's InProcessModule."""
    params = mod.params
    result = ensure_credential(
        mod.engine, mod.secret_box, name=params["name"], username=params["username"], password=params["password"],
        update_password=params["update_password"], priority=params["priority"], description=params["description"],
        is_system=params["is_system"], tags=params["tags"], purge_tags=params["purge_tags"],
        create_tags=params["create_tags"], state=params["state"], check_mode=mod.check_mode,
        enable_secret=params["enable_secret"], private_key=params["private_key"],
        private_key_passphrase=params["private_key_passphrase"])
    return module_result(mod, result)


def main() -> None:
    """Entry point."""
    NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES).run(handler)


if __name__ == "__main__":
    main()
