#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of netraven.netraven.backup; the work runs in the action plugin."""

from __future__ import annotations

DOCUMENTATION = r"""
module: backup
short_description: Back up a network device's configuration through its credential chain
version_added: 0.1.0
description:
  - Logs in to the device with netmiko, trying the credentials of its chain in order. Only a
    rejected login moves to the next credential; an unreachable device, an SSH negotiation
    failure, a timeout or a truncated configuration stops at once, because another credential
    cannot help and would only add failed logins.
  - Every attempt updates the credential's metrics (success rate, counts, last used) and writes
    a job log row; every device gets one connection log row and one job result row.
  - The configuration is checked for completeness, volatile lines (timestamps,
    C(ntp clock-period)) are ignored for change detection, secrets are masked, and a new
    configuration is stored only when it differs from the device's latest.
  - Runs on the controller (action plugin); nothing is executed on the device but the show command.
author:
  - NetRaven developers (@netraven)
extends_documentation_fragment:
  - netraven.netraven.attributes.action
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - netraven.netraven.database
  - netraven.netraven.database.encryption
attributes:
  check_mode:
    support: full
    details: Connects and fetches the configuration, but writes nothing to the database.
  diff_mode:
    support: full
    details: Shows the difference between the stored and the fetched (normalised) configuration.
options:
  device_id:
    description:
      - Id of the device in the NetRaven database.
      - Defaults to the host variable C(netraven_device_id) set by the netraven.netraven.netraven inventory.
    type: int
  credentials:
    description:
      - The credential chain to try, in order, as credential ids or dicts with an C(id) key.
      - Defaults to the host variable C(netraven_credentials) set by the inventory.
    type: list
    elements: raw
  job_id:
    description:
      - Job the backup belongs to; its logs and results are recorded under it.
      - Defaults to the variable C(netraven_job_id). Without a job, only metrics, the connection
        log and the configuration are recorded.
    type: int
  connect_timeout:
    description:
      - Seconds to wait for the TCP connection, the SSH banner and authentication.
      - When the task does not set it, the variable C(netraven_connect_timeout).
    type: int
    default: 10
  command_timeout:
    description:
      - Seconds of silence after which a command has timed out (counted from the last byte received), with a
        cap of 20 times this value for the whole command.
      - When the task does not set it, the variable C(netraven_command_timeout).
    type: int
    default: 60
  max_attempts:
    description: Try at most this many credentials of the chain. Unlimited when not set.
    type: int
  mask_secrets:
    description:
      - Replace secret values (enable secrets, user passwords, SNMP communities, keys) in the stored
        configuration by a marker derived from a hash of the value, so a changed secret still shows as a change.
    type: bool
    default: true
  keep_original:
    description:
      - Also store the configuration exactly as the device printed it (unmasked), sealed with the encryption key
        (Fernet, as credential passwords), so that a backup can be restored; see C(docs/history.md).
      - Only netraven.netraven.config_info with O(netraven.netraven.config_info#module:reveal=true) opens it; every other
        output shows the masked text. With V(false) new versions store no original.
      - A new version is stored only when the masked text changes. An original that differs only in a
        re-encrypted value does not make a new version.
      - When the task does not set it, the variable C(netraven_keep_original).
    type: bool
    default: true
  session_log_dir:
    description:
      - Write a netmiko session log per device into this directory, created 0700 when missing. Each log is
        created 0600 and refused when its name is a symbolic link.
      - The login password is filtered out by netmiko and every line is masked with the platform's secret
        rules before it is written; the log still holds the rest of the configuration and the session.
      - When the task does not set it, the variable C(netraven_session_log_dir).
    type: path
  platforms_file:
    description:
      - A YAML file of your own platform profiles, which add device types or override built-in profiles
        (C(docs/platforms.md), "Your own profiles"). Without it, E(NETRAVEN_PLATFORMS_FILE); without either,
        only the built-in profiles.
      - A bad file fails every device in one line naming the profile and the field, before any login.
      - When the task does not set it, the variable C(netraven_platforms_file) (before E(NETRAVEN_PLATFORMS_FILE)).
    type: path
  lockout_threshold:
    description:
      - Lockout guard. Within one job, a credential rejected on this many distinct devices, and accepted
        on none, is not tried on further devices. C(0) disables the guard.
      - When the task does not set it, the variable C(netraven_lockout_threshold).
    type: int
    default: 5
  host_key_checking:
    description:
      - Verify the device's SSH host key against O(known_hosts_file) (or the user's
        C(~/.ssh/known_hosts) and the system's known hosts) and refuse unknown or changed keys,
        which fail the device with status C(FAILED_SSH) without trying further credentials.
      - When the task does not set it, the variable C(netraven_host_key_checking); without either, Ansible's
        own setting applies (the C(ansible_host_key_checking) variable, else the C(host_key_checking)
        configuration / E(ANSIBLE_HOST_KEY_CHECKING), which defaults to C(true)).
    type: bool
  known_hosts_file:
    description:
      - A known_hosts file to verify host keys against, in addition to the user's and the system's.
      - Jump hosts' host keys are verified the same way.
      - When the task does not set it, the variable C(netraven_known_hosts_file).
    type: path
  jump_host:
    description:
      - The jump host (netraven.netraven.jump_host) to reach the device through in this run, instead of the
        database's; an empty string reaches it directly.
      - A jump host that is down or refuses its own login fails the device at once (C(FAILED_UNREACHABLE) or
        C(FAILED_SSH)), the reason naming the jump host, and no device credential is tried.
      - When the task does not set it, the variable C(netraven_jump_host); the inventory sets it from the database
        as a group variable, so C(group_vars) and C(host_vars) override the database. Without either, the database's.
    type: str
  transport:
    description:
      - V(ssh) or V(telnet) for this run, instead of the database's (netraven.netraven.device's O(netraven.netraven.device#module:transport)).
      - When the task does not set it, the variable C(netraven_transport); without either, the database's.
    type: str
    choices: [ssh, telnet]
  legacy_ssh:
    description:
      - Allow this device the SHA-1 key exchanges, C(ssh-rsa) host keys and CBC ciphers of older devices in this run,
        instead of the database's setting. A device without it never negotiates them.
      - When the task does not set it, the variable C(netraven_legacy_ssh); without either, the database's.
    type: bool
  ssh_config_file:
    description:
      - An OpenSSH client configuration file. For each device (looked up by its hostname), its C(ProxyJump)
        (any number of hops, run with the C(ssh) client and this file) or C(ProxyCommand), and its C(KexAlgorithms),
        C(HostKeyAlgorithms), C(Ciphers), C(MACs) and C(PubkeyAcceptedAlgorithms) apply. A SHA-1 era algorithm
        named there counts as O(legacy_ssh) for that device. A NetRaven jump host wins over the file's proxy.
      - The device's address and port are the database's (C(%h) and C(%p) expand to them); C(User) and
        C(IdentityFile) do not apply (the credentials are the database's).
      - When the task does not set it, the variable C(netraven_ssh_config_file).
    type: path
seealso:
  - plugin: netraven.netraven.netraven
    plugin_type: inventory
  - module: netraven.netraven.job
notes:
  - Passwords, enable secrets, private keys and their passphrases, and the jump hosts' logins never appear in
    results, logs, warnings or session logs.
  - Reads time out on silence. O(command_timeout) counts from the last byte the device sent, so a large
    configuration that streams steadily is read whole; one command may run at most 20 times O(command_timeout)
    in all (20 minutes at the default).
  - The C(netraven_*) variables of the options above are read by the action itself, so a play can set them
    once (extra vars, group_vars) and leave the task without templated options. Ansible compiles each
    templated option again in every host's worker, which costs more CPU per device than the backup's
    database work.
requirements:
  - netmiko >= 4.3
"""

EXAMPLES = r"""
- name: Back up every device of the inventory (job id, timeouts and the rest from netraven_* variables)
  netraven.netraven.backup: {}

- name: Back up one device with an explicit chain and tighter timeouts
  netraven.netraven.backup:
    device_id: 42
    credentials: [3, 7]
    connect_timeout: 5
    command_timeout: 30
"""

RETURN = r"""
status:
  description: Device status.
  returned: always
  type: str
  sample: SUCCESS
  choices: [SUCCESS, FAILED_AUTH, FAILED_UNREACHABLE, FAILED_SSH, FAILED_TIMEOUT, FAILED_TRUNCATED, NO_CREDENTIALS, FAILED_UNEXPECTED]
device_id:
  description: Id of the device.
  returned: always
  type: int
credential_id:
  description: The credential that worked, or the last one tried.
  returned: always
  type: int
credential_username:
  description: Username of that credential.
  returned: always
  type: str
retry_count:
  description: Number of credentials that failed before it.
  returned: always
  type: int
attempts:
  description: The login attempts in order.
  returned: always
  type: list
  elements: dict
  sample: [{"attempt": 1, "credential_id": 3, "credential_username": "admin", "outcome": "failed", "error_type": "AUTH"}]
skipped_credentials:
  description: Credentials of the chain not tried, with the reason.
  returned: always
  type: list
  elements: dict
changed:
  description: Whether a new configuration was stored (or would be, in check mode).
  returned: always
  type: bool
config_id:
  description: Id of the stored configuration (the new one, or the unchanged latest).
  returned: always
  type: int
duration_ms:
  description: Time spent on the device, in milliseconds.
  returned: always
  type: int
"""

from typing import Any, Dict

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netraven.netraven.plugins.module_utils._module_base import argspec

ARGUMENT_SPEC = argspec(
    encryption=True,
    device_id={"type": "int"},
    credentials={"type": "list", "elements": "raw"},
    job_id={"type": "int"},
    connect_timeout={"type": "int", "default": 10},
    command_timeout={"type": "int", "default": 60},
    max_attempts={"type": "int"},
    mask_secrets={"type": "bool", "default": True},
    keep_original={"type": "bool", "default": True},
    session_log_dir={"type": "path"},
    lockout_threshold={"type": "int", "default": 5},
    host_key_checking={"type": "bool"},
    known_hosts_file={"type": "path"},
    platforms_file={"type": "path"},
    jump_host={"type": "str"},
    transport={"type": "str", "choices": ["ssh", "telnet"]},
    legacy_ssh={"type": "bool"},
    ssh_config_file={"type": "path"},
)
RULES: Dict[str, Any] = {}


def main() -> None:
    """The action plugin does the work; this entry point only validates arguments."""
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES)
    module.fail_json(msg="netraven.netraven.backup runs as an action plugin on the controller")


if __name__ == "__main__":
    main()
