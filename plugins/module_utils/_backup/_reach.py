# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How one device is reached in this run: transport, legacy SSH, jump hosts, an OpenSSH config.

The database holds each device's way (devices.jump_host_id, transport, legacy_ssh); the run
may override it per host with the variables netraven_jump_host, netraven_transport and
netraven_legacy_ssh (host and group variables outrank the database, as Ansible users expect:
see _inventory/_hosts.py), and add an OpenSSH client config (ssh_config_file). ``Reach`` is
the result, made once per device by the store when it reads the device, and read by the
session when it connects.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Optional, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._backup._jump_chain import Hop

SSH = "ssh"
TELNET = "telnet"


@dataclasses.dataclass(frozen=True)
class ReachOverrides:
    """The run's overrides (the backup options / netraven_* variables); None: the database's value.

    jump_host "" sends the device directly, whatever the database says.
    """

    jump_host: Optional[str] = None
    transport: Optional[str] = None
    legacy_ssh: Optional[bool] = None
    ssh_config_file: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class Reach:
    """The way to one device: ssh or telnet, SHA-1 era SSH allowed or not, the jump hosts (outermost first)."""

    transport: str = SSH
    legacy_ssh: bool = False
    hops: Tuple[Hop, ...] = ()
    ssh_config_file: Optional[str] = None

    @property
    def telnet(self) -> bool:
        return self.transport == TELNET

    @property
    def through_jump_hosts(self) -> bool:
        return bool(self.hops)


def jump_host_name(overrides: ReachOverrides, stored_name: Optional[str]) -> Optional[str]:
    """The jump host this run goes through: the override when given ("" = none), else the database's."""
    if overrides.jump_host is not None:
        return overrides.jump_host or None
    return stored_name


def reach_of(device: Mapping[str, Any], overrides: ReachOverrides, hops: Tuple[Hop, ...]) -> Reach:
    """The device row's way, with the run's overrides applied (hops already resolved for the effective jump host)."""
    transport = overrides.transport or device.get("transport") or SSH
    legacy = overrides.legacy_ssh if overrides.legacy_ssh is not None else bool(device.get("legacy_ssh"))
    return Reach(transport=transport, legacy_ssh=legacy, hops=hops, ssh_config_file=overrides.ssh_config_file)


# The defaults: a plain SSH device reached directly, and a run that overrides nothing.
DIRECT = Reach()
NO_OVERRIDES = ReachOverrides()
