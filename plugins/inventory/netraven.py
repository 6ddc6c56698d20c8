# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dynamic inventory of the devices in the NetRaven database, with their credential chains."""

from __future__ import annotations

DOCUMENTATION = r"""
name: netraven
short_description: NetRaven devices as inventory, with their credential chains
version_added: 1.0.0
author:
  - NetRaven developers (@netraven)
description:
  - Reads devices, tags and credentials from the NetRaven database and makes every targeted
    device a host named after its hostname.
  - Each host gets C(ansible_host) (the device address), C(ansible_port), C(netraven_device_id),
    C(netraven_device_type) (the netmiko device type), C(netraven_tags) (tag names, sorted) and
    C(netraven_credentials), the credential chain in the order the backup tries it, as a list of
    C({id, username, priority, tags}).
  - A device's chain holds every credential that shares at least one tag with it, once each,
    ordered by priority then id; the credential that last logged in to the device comes first.
    Chains for any number of devices are resolved in a constant number of queries.
  - Groups are C(tag_<name>) for each tag (characters not allowed in group names become C(_)) and
    C(netraven_no_credentials) for devices whose chain is empty; a warning gives the count of such devices.
  - A device named C(localhost), C(127.0.0.1) or C(::1) (any case) is left out with a warning naming it, because
    those names are Ansible's implicit localhost, where the backup playbook runs its job tasks.
  - How a device is reached comes as group variables, so that C(group_vars) and C(host_vars) of the same
    names override the database, as Ansible's precedence leads users to expect. Devices with a jump host are
    in C(netraven_jump_<name>) (variable C(netraven_jump_host)), telnet devices in C(netraven_transport_telnet)
    (C(netraven_transport=telnet)), devices allowed SHA-1 era SSH in C(netraven_legacy_ssh)
    (C(netraven_legacy_ssh=true)); every other device shows the defaults C(netraven_transport=ssh) and
    C(netraven_legacy_ssh=false), set on the group C(all), which every other group outranks. The backup reads
    those variables (an empty C(netraven_jump_host) sends a device directly); hosts without them use what the
    database says.
  - Passwords are never read by this plugin, so no secret, encrypted or not, reaches the inventory
    output or its cache; strings from the database are never treated as templates.
  - The plugin does not set C(ansible_connection). The backup action connects to the devices itself
    with netmiko and no play of this collection uses Ansible's connection to them, so plays over
    these hosts should set C(gather_facts) to V(false). Ansible's default connection would try
    SSH as the controller user if a module were run on these hosts; set
    C(ansible_connection) with O(compose) (for example V(local) or V(ansible.netcommon.network_cli))
    if you run other tasks on them.
  - The configuration file name must end in C(netraven.yml) or C(netraven.yaml).
options:
  plugin:
    description: Marks the file as a configuration of this plugin.
    type: str
    required: true
    choices:
      - netraven.netraven.netraven
  db_url:
    description:
      - SQLAlchemy URL of the NetRaven database, for example
        C(postgresql+psycopg2://netraven:secret@db.example.com:5432/netraven).
      - When neither this nor E(NETRAVEN_DB_URL) is set, the embedded SQLite file
        C(${XDG_DATA_HOME:-~/.local/share}/netraven/netraven.db).
      - Its password is masked in every message and never written to the cache.
    type: str
    env:
      - name: NETRAVEN_DB_URL
  job_id:
    description:
      - Target the devices carrying any tag of this NetRaven job.
      - An unknown job id is an error.
    type: int
  tags:
    description:
      - Target the devices carrying any of these tags (combined with O(job_id), any tag of either).
      - An unknown tag name is an error. Without O(job_id) and O(tags), every device is targeted.
    type: list
    elements: str
    default: []
  include_disabled:
    description: Also target devices that are disabled in NetRaven.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
requirements:
  - SQLAlchemy >= 2.0
  - psycopg2 (for PostgreSQL)
"""

EXAMPLES = r"""
# inventory/netraven.yml: every enabled device, database from NETRAVEN_DB_URL
plugin: netraven.netraven.netraven
---
# inventory/datacenter_a.netraven.yml: devices tagged datacenter_a or core, cached for an hour
plugin: netraven.netraven.netraven
tags:
  - datacenter_a
  - core
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /var/cache/netraven-inventory
cache_timeout: 3600
---
# inventory/job.netraven.yml: the devices of job 42, grouped by netmiko device type too
plugin: netraven.netraven.netraven
db_url: postgresql+psycopg2://netraven@db.example.com:5432/netraven
job_id: 42
keyed_groups:
  - key: netraven_device_type
    prefix: type
compose:
  netraven_first_username: netraven_credentials[0].username if netraven_credentials else None

# Check the result:
#   ansible-inventory -i inventory/netraven.yml --graph
"""

from typing import Any, Dict

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._inventory._hosts import (
    NO_CREDENTIALS_GROUP,
    count_without_credentials,
    is_valid_snapshot,
    iter_hosts,
    load_snapshot,
    reserved_devices,
    reserved_warning,
    reach_groups,
    source_fingerprint,
    Snapshot,
)

# ansible-core >= 2.19 trusts no string an inventory plugin sets unless the plugin says so
# (trusted_by_default) or tags it: database strings stay plain and are never templated.
# Older cores template every string that is not wrapped as unsafe.
DATA_TAGGING = hasattr(BaseInventoryPlugin, "trusted_by_default")
if DATA_TAGGING:
    def _untrusted(value: Any) -> Any:
        return value
else:  # pragma: no cover - ansible-core < 2.19
    from ansible.utils.unsafe_proxy import wrap_var as _untrusted  # type: ignore[no-redef]


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Hosts, groups and credential chains from the NetRaven database."""

    NAME = "netraven.netraven.netraven"

    # Every string this plugin sets comes from the database: never a template.
    trusted_by_default = False

    def verify_file(self, path: str) -> bool:
        """Claim only readable files named *netraven.yml / *netraven.yaml."""
        return bool(super().verify_file(path)) and path.endswith(("netraven.yml", "netraven.yaml"))

    def parse(self, inventory: Any, loader: Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        try:
            snapshot = self._snapshot(path, cache)
        except NetRavenError as error:
            raise AnsibleParserError("%s: %s" % (self.NAME, error)) from None
        self._populate(snapshot)

    def _snapshot(self, path: str, cache: bool) -> Snapshot:
        """The resolved devices, from the cache when allowed and still matching the options."""
        options: Dict[str, Any] = {
            "db_url": self.get_option("db_url"),
            "job_id": self.get_option("job_id"),
            "tags": self.get_option("tags") or [],
            "include_disabled": self.get_option("include_disabled"),
        }
        use_cache = self.get_option("cache")
        cache_key = self.get_cache_key(path)
        source = source_fingerprint(**options)
        if use_cache and cache:
            try:
                snapshot = self._cache[cache_key]
            except KeyError:
                snapshot = None
            if is_valid_snapshot(snapshot, source):
                self.display.vvv("%s: %d devices from the inventory cache" % (self.NAME, len(snapshot["devices"])))
                return snapshot
        snapshot = load_snapshot(**options)
        if use_cache:
            self._cache[cache_key] = snapshot
        self.display.vvv("%s: %d devices, %d credentials from the database" % (
            self.NAME, len(snapshot["devices"]), len(snapshot["credentials"])))
        return snapshot

    def _populate(self, snapshot: Snapshot) -> None:
        """Add hosts, hostvars and groups; the hot loop of a 10,000-device inventory, kept lean."""
        inventory = self.inventory
        add_host = inventory.add_host
        set_variable = inventory.set_variable
        add_child = inventory.add_child
        known_groups = set()

        strict = self.get_option("strict")
        compose = self.get_option("compose")
        groups = self.get_option("groups")
        keyed_groups = self.get_option("keyed_groups")
        constructed = bool(compose or groups or keyed_groups)

        for hostname, hostvars, host_groups in iter_hosts(snapshot):
            hostname = add_host(_untrusted(hostname))
            for name, value in hostvars.items():
                set_variable(hostname, name, _untrusted(value))
            for group in host_groups:
                if group not in known_groups:
                    inventory.add_group(group)
                    known_groups.add(group)
                add_child(group, hostname)
            if constructed:
                variables = inventory.get_host(hostname).get_vars()
                self._set_composite_vars(compose, variables, hostname, strict=strict)
                self._add_host_to_composed_groups(groups, variables, hostname, strict=strict)
                self._add_host_to_keyed_groups(keyed_groups, variables, hostname, strict=strict)

        reserved = reserved_devices(snapshot)
        for hostname, device_id in reserved:
            self.display.warning("%s: %s" % (self.NAME, reserved_warning(hostname, device_id)))
        # How devices are reached, as group variables: group_vars and host_vars of the same names override them.
        for group, variables in reach_groups(snapshot).items():
            for name, value in variables.items():
                inventory.set_variable(group, name, _untrusted(value))

        missing = count_without_credentials(snapshot)
        if missing:
            self.display.warning("%s: %d of %d devices have no credential chain (no credential shares a tag with them); "
                                 "they are in group %s" % (self.NAME, missing, len(snapshot["devices"]) - len(reserved),
                                                           NO_CREDENTIALS_GROUP))
