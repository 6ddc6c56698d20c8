# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolved devices as Ansible inventory (docs/architecture.md: "The path of one device"): host names, hostvars and groups.

The inventory plugin, its cache and anything else that needs "the devices as Ansible sees
them" go through one compact, JSON-safe snapshot:

- ``credentials``: each credential of any chain once, as [id, username, priority, tags];
- ``devices``: one row per device, [hostname, address, port, id, device_type, tags, chain ids,
  jump host name or None, transport, legacy_ssh].

How a device is reached (its jump host, telnet, legacy SSH) is not set as host variables:
those would outrank every group_vars file. The database's values are the variables of
inventory groups instead (``netraven_jump_<name>``, ``netraven_transport_telnet``,
``netraven_legacy_ssh``, only for devices that differ from the default, and the defaults
``netraven_transport: ssh`` and ``netraven_legacy_ssh: false`` on the group ``all``), the lowest
place in Ansible's precedence, so ``group_vars`` and ``host_vars`` of the same names override them
as users expect (a site's devices sent through its bastion from group_vars).

Credentials appear once rather than once per device, so a 10,000-device cache stays
small and rebuilding hostvars shares the credential dicts instead of copying them.
Nothing secret is ever selected: no password column, no ciphertext, and the source
fingerprint carries the database URL with its password masked.

A row named like Ansible's implicit localhost (``localhost``, ``127.0.0.1``, ``::1``) never becomes
a host: it would take over ``delegate_to: localhost`` (_manage._names). It is skipped, and the
plugin warns with its name (reserved_devices).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Optional, Tuple, TypedDict

from ansible_collections.netraven.netraven.plugins.module_utils._inventory._chains import DeviceDict, resolve_targets
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._url_masking import mask_url
from ansible_collections.netraven.netraven.plugins.module_utils._db._locations import resolve_db_url
from ansible_collections.netraven.netraven.plugins.module_utils._manage._names import is_reserved_host_name

if TYPE_CHECKING:
    from typing import TypeGuard

SNAPSHOT_VERSION = 2


class Snapshot(TypedDict):
    """The inventory's devices and chains as plain lists (what the inventory cache holds).

    credentials: [id, username, priority, tags] per credential; devices: [hostname, address,
    port, id, device_type, tags, chain ids, jump host, transport, legacy_ssh] per device.
    """

    version: int
    source: str
    credentials: List[List[Any]]
    devices: List[List[Any]]


TAG_GROUP_PREFIX = "tag_"
NO_CREDENTIALS_GROUP = "netraven_no_credentials"
JUMP_GROUP_PREFIX = "netraven_jump_"
TELNET_GROUP = "netraven_transport_telnet"
LEGACY_SSH_GROUP = "netraven_legacy_ssh"
# The variables those groups carry; the backup reads them (or their group_vars / host_vars overrides).
REACH_VARIABLES = ("netraven_jump_host", "netraven_transport", "netraven_legacy_ssh")
CREDENTIAL_KEYS = ("id", "username", "priority", "tags")
HOSTVAR_NAMES = ("ansible_host", "ansible_port", "netraven_device_id", "netraven_device_type",
                 "netraven_tags", "netraven_credentials")

# Same rule as ansible-core's INVALID_VARIABLE_NAMES; the tag_ prefix already rules out a leading digit.
_INVALID_GROUP_CHARS = re.compile(r"[^\w]")


def tag_group_name(tag_name: str) -> str:
    """The group of a tag: tag_<name> with every character Ansible rejects in group names as '_'.

    Distinct tags may share a group (``a-b`` and ``a.b`` both give ``tag_a_b``): the group then
    holds the devices of both, while netraven_tags keeps the exact names.
    """
    return _INVALID_GROUP_CHARS.sub("_", TAG_GROUP_PREFIX + tag_name)


def source_fingerprint(db_url: Optional[str] = None, job_id: Optional[int] = None, tags: Optional[Iterable[str]] = None,
                       include_disabled: bool = False) -> str:
    """What a snapshot was built from, secret-free: a cache entry built from other options is stale."""
    return "url=%s job_id=%s tags=%s include_disabled=%s" % (
        mask_url(resolve_db_url(db_url)), job_id, ",".join(sorted(set(tags or ()))), bool(include_disabled))


def snapshot_from_devices(devices: Iterable[DeviceDict], source: str = "") -> Snapshot:
    """The snapshot of devices resolved by _chains.resolve_targets (read-only, shared chains)."""
    credentials: Dict[int, List[Any]] = {}
    rows: List[List[Any]] = []
    for device in devices:
        chain_ids = []
        for credential in device["credentials"]:
            cred_id = credential["id"]
            if cred_id not in credentials:
                credentials[cred_id] = [cred_id, credential["username"], credential["priority"], list(credential["tags"])]
            chain_ids.append(cred_id)
        rows.append([device["hostname"], device["ip_address"], device["port"], device["id"],
                     device["device_type"], list(device["tags"]), chain_ids, device.get("jump_host"),
                     device.get("transport") or "ssh", bool(device.get("legacy_ssh"))])
    return {"version": SNAPSHOT_VERSION, "source": source, "credentials": list(credentials.values()), "devices": rows}


def load_snapshot(db_url: Optional[str] = None, job_id: Optional[int] = None, tags: Optional[List[str]] = None,
                  include_disabled: bool = False) -> Snapshot:
    """Resolve the targeted devices and their chains from the database into a snapshot.

    A constant number of queries whatever the device count (see _chains). Raises the
    NetRavenError family (one line, URL password masked) for every database or input problem.
    """
    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            devices = resolve_targets(session, tags=tags or None, job_id=job_id,
                                      include_disabled=include_disabled)
    finally:
        engine.dispose()
    return snapshot_from_devices(devices, source_fingerprint(db_url, job_id, tags, include_disabled))


def is_valid_snapshot(snapshot: object, source: str | None = None) -> TypeGuard[Snapshot]:
    """True when a (cached) value has the current snapshot shape and, if given, the same source."""
    return (isinstance(snapshot, dict) and snapshot.get("version") == SNAPSHOT_VERSION
            and isinstance(snapshot.get("credentials"), list) and isinstance(snapshot.get("devices"), list)
            and (source is None or snapshot.get("source") == source))


def iter_hosts(snapshot: Snapshot) -> Iterator[Tuple[str, Dict[str, Any], List[str]]]:
    """Yield (host name, hostvars, group names) per device of a snapshot, in snapshot order.

    Hostvars are exactly those of docs/architecture.md, "The path of one device"; netraven_credentials is the chain in try order as
    {id, username, priority, tags} dicts that are shared between hosts: read-only, copy to change.
    Groups: tag_<name> per tag, plus netraven_no_credentials when the chain is empty.
    Devices with a reserved host name are left out (reserved_devices lists them).
    """
    credentials: Dict[int, Dict[str, Any]] = {}
    for cred_id, username, priority, tags in snapshot["credentials"]:
        credentials[cred_id] = {"id": cred_id, "username": username, "priority": priority, "tags": tags}
    group_of: Dict[str, str] = {}
    jump_groups = jump_group_names(snapshot)
    for hostname, address, port, device_id, device_type, tags, chain_ids, jump_host, transport, legacy in snapshot["devices"]:
        if is_reserved_host_name(hostname):
            continue
        hostvars = {
            "ansible_host": address,
            "ansible_port": port,
            "netraven_device_id": device_id,
            "netraven_device_type": device_type,
            "netraven_tags": tags,
            "netraven_credentials": [credentials[cred_id] for cred_id in chain_ids],
        }
        groups = []
        for tag in tags:
            group = group_of.get(tag)
            if group is None:
                group = group_of[tag] = tag_group_name(tag)
            groups.append(group)
        if not chain_ids:
            groups.append(NO_CREDENTIALS_GROUP)
        if jump_host:
            groups.append(jump_groups[jump_host])
        if transport == "telnet":
            groups.append(TELNET_GROUP)
        if legacy:
            groups.append(LEGACY_SSH_GROUP)
        yield hostname, hostvars, groups


def jump_group_names(snapshot: Snapshot) -> Dict[str, str]:
    """jump host name -> its group: netraven_jump_<name>, Ansible-safe, distinct even when two names sanitise alike."""
    groups: Dict[str, str] = {}
    taken: Dict[str, str] = {}
    for name in sorted({row[7] for row in snapshot["devices"] if row[7]}):
        group = _INVALID_GROUP_CHARS.sub("_", JUMP_GROUP_PREFIX + name)
        if group in taken:
            group += "_" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
        taken[group] = name
        groups[name] = group
    return groups


# The defaults every host shows (DESIGN.md section 10 names these variables for every device), on the
# group all: any other group, and every group_vars or host_vars file, outranks them.
REACH_DEFAULTS: Dict[str, Any] = {"netraven_transport": "ssh", "netraven_legacy_ssh": False}


def reach_groups(snapshot: Snapshot) -> Dict[str, Dict[str, Any]]:
    """{group: its variables} for the groups that say how devices are reached (see the module docstring)."""
    groups: Dict[str, Dict[str, Any]] = {"all": dict(REACH_DEFAULTS)} if snapshot["devices"] else {}
    groups.update({group: {"netraven_jump_host": name} for name, group in jump_group_names(snapshot).items()})
    if any(row[8] == "telnet" for row in snapshot["devices"]):
        groups[TELNET_GROUP] = {"netraven_transport": "telnet"}
    if any(row[9] for row in snapshot["devices"]):
        groups[LEGACY_SSH_GROUP] = {"netraven_legacy_ssh": True}
    return groups


def count_without_credentials(snapshot: Snapshot) -> int:
    """How many devices that become hosts have an empty chain."""
    return sum(1 for row in snapshot["devices"] if not row[6] and not is_reserved_host_name(row[0]))


def reserved_devices(snapshot: Snapshot) -> List[Tuple[str, int]]:
    """(hostname, device id) of the rows iter_hosts leaves out: names of Ansible's implicit localhost."""
    return [(row[0], row[3]) for row in snapshot["devices"] if is_reserved_host_name(row[0])]


def reserved_warning(hostname: str, device_id: int) -> str:
    """The inventory's warning for a device left out because of its name."""
    return ("device %r (id %s) is not in the inventory: its name is Ansible's implicit localhost, where the "
            "backup playbook runs its job tasks; rename it (netraven.netraven.device refuses such names)" % (
                hostname, device_id))
