# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Idempotent management of devices (the netraven.netraven.device module's core).

The hostname is the key. Everything a backup would only discover hours later is
refused up front, in one line naming the culprit: a device_type netmiko does not
know (with the close matches, since typos such as cisco_iso are the usual cause),
an address that is not an IP address, an address or hostname another device
already uses, an unknown tag.
"""

from __future__ import annotations

import difflib
import ipaddress
import re

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from ansible_collections.netraven.netraven.plugins.module_utils._errors import MissingLibraryError, ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import check_text, tag_names
from ansible_collections.netraven.netraven.plugins.module_utils._manage._ensure import Ensure, Plan
from ansible_collections.netraven.netraven.plugins.module_utils._manage._names import check_device_name
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Device, JumpHost
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_text

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

MANAGED_FIELDS = ("hostname", "ip_address", "device_type", "port", "description", "enabled", "tags", "jump_host",
                  "transport", "legacy_ssh")
DEFAULT_PORT = 22
TRANSPORTS = ("ssh", "telnet")
TELNET_SUFFIX = "_telnet"

_PLATFORMS: List[str] = []


def netmiko_platforms() -> List[str]:
    """The device types netmiko can connect to (its CLASS_MAPPER keys), sorted.

    Imported on first use: netmiko loads every driver (0.4 s), which a task that
    does not set a new device_type never needs.
    """
    if not _PLATFORMS:
        try:
            from netmiko.ssh_dispatcher import CLASS_MAPPER
        except ImportError as error:
            raise MissingLibraryError("The Python library 'netmiko' is required on the controller to validate device_type (%s)" % (
                error,)) from None
        _PLATFORMS.extend(sorted(CLASS_MAPPER))
    return list(_PLATFORMS)


def validate_device_type(device_type: str, platforms: Optional[Sequence[str]] = None) -> str:
    """The device_type when netmiko knows it, else a ValidationError naming the close matches."""
    platforms = netmiko_platforms() if platforms is None else platforms
    if device_type in platforms:
        return device_type
    probe = (device_type or "").strip().lower()
    matches = [probe] if probe in platforms else difflib.get_close_matches(probe, platforms, n=5, cutoff=0.6)
    hint = "did you mean %s?" % ", ".join(matches) if matches else "see netmiko's list of platforms (netmiko.ssh_dispatcher.platforms)"
    raise ValidationError("Unknown device_type '%s' (netmiko has no such platform): %s" % (device_type, hint))


def normalise_ip(value: object) -> str:
    """The address in canonical text form (so 2001:DB8::1 and 2001:db8:0::1 are one address)."""
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        raise ValidationError("ip_address '%s' is not an IPv4 or IPv6 address" % value) from None


def validate_port(port: Optional[int]) -> Optional[int]:
    """The TCP port, refused outside 1..65535."""
    if port is not None and not 1 <= port <= 65535:
        raise ValidationError("port %s is out of range (1-65535)" % port)
    return port


def device_to_dict(device: Device, tags: Optional[List[str]] = None) -> Dict[str, Any]:
    """The device as a result dict (tags by name)."""
    return {
        "id": device.id,
        "hostname": device.hostname,
        "ip_address": device.ip_address,
        "device_type": device.device_type,
        "port": device.port,
        "description": device.description,
        "enabled": device.enabled,
        "tags": tag_names(device.tags) if tags is None else list(tags),
        "last_seen": iso_text(device.last_seen),
        "last_credential_id": device.last_credential_id,
        "jump_host": device.jump_host.name if device.jump_host is not None else None,
        "transport": device.transport,
        "legacy_ssh": device.legacy_ssh,
    }


def telnet_device_type(device_type: str, platforms: Optional[Sequence[str]] = None) -> str:
    """netmiko's telnet driver for a device type (cisco_ios -> cisco_ios_telnet); a ValidationError when it has none."""
    platforms = netmiko_platforms() if platforms is None else platforms
    telnet = device_type + TELNET_SUFFIX
    if telnet not in platforms:
        raise ValidationError("transport telnet: netmiko has no telnet driver for device_type '%s' (no platform '%s')" % (
            device_type, telnet))
    return telnet


MAX_HOSTNAME_LENGTH = 253  # a DNS name; also keeps "<hostname>.log" within a file name's 255 bytes
_HOSTNAME_REFUSED = re.compile(r"[\s,\x00-\x1f\x7f-\x9f]")


def check_hostname(hostname: str) -> str:
    """Refuse a hostname an inventory, a group list or a session log file name would break on."""
    hostname = check_text("hostname", hostname, MAX_HOSTNAME_LENGTH, required=True)
    bad = _HOSTNAME_REFUSED.search(hostname)
    if bad:
        raise ValidationError("hostname %r contains %r at position %d: control characters, whitespace and commas "
                              "are not allowed" % (hostname[:64], bad.group(0), bad.start()))
    return hostname


def _check_conflicts(session: Session, hostname: str, ip_address: Optional[str], own_id: Optional[int]) -> None:
    """Refuse a hostname (ignoring case) or an address that another device already has."""
    others = Device.id != own_id if own_id is not None else sa.true()
    clash = session.execute(
        sa.select(Device.id, Device.hostname)
        .where(sa.func.lower(Device.hostname) == hostname.lower(), Device.hostname != hostname, others)
    ).first()
    if clash is not None:
        raise ValidationError("Duplicate hostname '%s': device '%s' (id %s) already exists (hostnames are unique ignoring case)" % (
            hostname, clash.hostname, clash.id))
    if ip_address is not None:
        clash = session.execute(
            sa.select(Device.id, Device.hostname).where(Device.ip_address == ip_address, others)).first()
        if clash is not None:
            raise ValidationError("Duplicate ip_address %s for device '%s': device '%s' (id %s) already has it" % (
                ip_address, hostname, clash.hostname, clash.id))


class EnsureDevice(Ensure):
    """A device under the skeleton of _ensure: the hostname is its key."""

    model = Device
    key_column = "hostname"
    label = "Device"
    result_key = "device"
    managed_fields = MANAGED_FIELDS
    unsaved_fields = {"id": None, "last_seen": None, "last_credential_id": None}

    def __init__(self, hostname: str, ip_address: Optional[str] = None, device_type: Optional[str] = None,
                 port: Optional[int] = None, description: Optional[str] = None, enabled: Optional[bool] = None,
                 tags: Optional[List[str]] = None, purge_tags: bool = True, create_tags: bool = False,
                 check_mode: bool = False, jump_host: Optional[str] = None, transport: Optional[str] = None,
                 legacy_ssh: Optional[bool] = None) -> None:
        super().__init__(check_hostname((hostname or "").strip()), check_mode)
        if transport is not None and transport not in TRANSPORTS:
            raise ValidationError("transport must be one of %s, not '%s'" % (", ".join(TRANSPORTS), transport))
        self.wanted: Dict[str, Any] = {"ip_address": ip_address, "device_type": device_type, "port": port,
                                       "description": description, "enabled": enabled, "transport": transport,
                                       "legacy_ssh": legacy_ssh}
        self.jump_host = jump_host.strip() if jump_host is not None else None
        self.tags, self.purge_tags, self.create_tags = tags, purge_tags, create_tags
        self.stored_address: Optional[str] = None  # the address before the task, for the message of a write race

    def validate(self) -> "EnsureDevice":
        """What a present device needs checked before the database is opened: its name, the address and the port."""
        check_device_name(self.key)  # a name that becomes a path or Ansible's localhost: refused (docs/hardening.md)
        if self.wanted["ip_address"] is not None:
            self.wanted["ip_address"] = normalise_ip(self.wanted["ip_address"])
        validate_port(self.wanted["port"])
        return self

    def to_dict(self, row: Any, tags: Optional[List[str]] = None) -> Dict[str, Any]:
        return device_to_dict(row, tags)

    def plan(self, session: Session, row: Any, before: Optional[Dict[str, Any]]) -> Plan:
        wanted = self.wanted
        self.stored_address = row.ip_address if row is not None else None
        if row is None:
            missing = [option for option in ("ip_address", "device_type") if wanted[option] is None]
            if missing:
                raise ValidationError("Device '%s' does not exist: %s required to create it" % (
                    self.key, " and ".join(missing) + (" are" if len(missing) > 1 else " is")))
        if wanted["device_type"] is not None and (row is None or row.device_type != wanted["device_type"]):
            # A stored device_type was validated when written: re-runs skip netmiko's import.
            wanted["device_type"] = validate_device_type(wanted["device_type"])
        _check_conflicts(session, self.key, wanted["ip_address"], row.id if row is not None else None)
        tags = self.tag_plan(session, before, self.tags, self.purge_tags, self.create_tags)
        defaults = {"hostname": self.key, "port": DEFAULT_PORT, "enabled": True, "description": None, "jump_host": None,
                    "transport": "ssh", "legacy_ssh": False}
        changes = self.column_changes(before, wanted, defaults)
        notes: List[str] = []
        changes.update(self._jump_host_change(session, before, notes))
        self._check_reach(before, changes)
        return Plan(row, before, changes, tags, notes=notes)

    def _jump_host_change(self, session: Session, before: Optional[Dict[str, Any]], notes: List[str]) -> Dict[str, Any]:
        """{"jump_host": name or None} when the task changes it ("" takes it away); the name must exist."""
        name, current = self.jump_host, before["jump_host"] if before is not None else None
        if name is None or (name or None) == current:
            return {}
        if name and session.scalars(sa.select(JumpHost.id).where(JumpHost.name == name)).first() is None:
            self.unknown("Device '%s': unknown jump_host '%s' (create it with netraven.netraven.jump_host first)"
                         % (self.key, name), notes)
        return {"jump_host": name or None}

    def _check_reach(self, before: Optional[Dict[str, Any]], changes: Dict[str, Any]) -> None:
        """The transport the device ends with must be one netmiko can drive, and telnet goes direct."""
        def final(field: str) -> Any:
            return changes[field] if field in changes else (before or {}).get(field)

        if final("transport") != "telnet" or not ({"transport", "device_type", "jump_host"} & set(changes)):
            return
        telnet_device_type(final("device_type"))
        if final("jump_host"):
            raise ValidationError("Device '%s': transport telnet cannot go through jump_host '%s' (jump hosts forward "
                                  "SSH sessions); reach it directly or over SSH" % (self.key, final("jump_host")))

    def to_columns(self, session: Session, changes: Dict[str, Any]) -> Dict[str, Any]:
        columns = dict(changes)
        if columns.get("jump_host"):
            columns["jump_host"] = session.scalars(sa.select(JumpHost).where(JumpHost.name == columns["jump_host"])).one()
        return columns

    def result_fields(self, plan: Optional[Plan]) -> Dict[str, Any]:
        if plan is None:
            return {"created_tags": []}
        return {"created_tags": plan.created_tags, "warnings": plan.warnings}

    def describe(self) -> str:
        return "Device '%s' (ip_address %s)" % (self.key, self.wanted["ip_address"] or self.stored_address)


def ensure_device(engine: Engine, hostname: str, state: str = "present", ip_address: Optional[str] = None,
                  device_type: Optional[str] = None, port: Optional[int] = None, description: Optional[str] = None,
                  enabled: Optional[bool] = None, tags: Optional[List[str]] = None, purge_tags: bool = True,
                  create_tags: bool = False, check_mode: bool = False, jump_host: Optional[str] = None,
                  transport: Optional[str] = None, legacy_ssh: Optional[bool] = None) -> Dict[str, Any]:
    """Make the device exist as described (None = leave as is) or not exist.

    A new device needs ip_address and device_type; port defaults to 22 and enabled
    to true. tags (names) replace the device's tags, or are added with
    purge_tags=false; unknown ones are an error unless create_tags. Returns
    {changed, device, created_tags, diff}; check mode writes nothing. jump_host names a jump
    host ("" = none), transport is ssh or telnet, legacy_ssh allows SHA-1 era SSH for this device.
    """
    ensure = EnsureDevice(hostname, ip_address=ip_address, device_type=device_type, port=port, description=description,
                          enabled=enabled, tags=tags, purge_tags=purge_tags, create_tags=create_tags, check_mode=check_mode,
                          jump_host=jump_host, transport=transport, legacy_ssh=legacy_ssh)
    return (ensure if state == "absent" else ensure.validate()).run(engine, state)
