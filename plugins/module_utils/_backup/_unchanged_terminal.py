# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netmiko drivers that leave the device's terminal settings as they are (a profile's ``keep_terminal``).

netmiko's FortiOS driver turns paging off by changing the configuration: at login it reads
the console's output mode and, when it is ``more``, writes ``config system console`` / ``set
output standard`` (inside ``config global`` with VDOMs), and at logout writes ``set output
more`` back. A backup must not change the device: two configuration changes per run show in
FortiManager and the event log, a read-only administrator cannot make them (paging then
stays on and the read times out), and the stored configuration would hold the console
setting netmiko made, not the device's. The fortios profile's command (``show | grep .``)
pages nothing, so the driver below tells netmiko the console is already unpaged: it then
neither reads nor writes the console settings.
"""

from __future__ import annotations

from typing import Any, Optional

try:
    from netmiko.fortinet.fortinet_ssh import FortinetSSH
    HAS_NETMIKO = True
except ImportError:
    FortinetSSH = object  # type: ignore[assignment,misc]
    HAS_NETMIKO = False


class FortinetUnchangedConsole(FortinetSSH):
    """netmiko's FortiOS driver that never changes ``config system console``."""

    def _get_output_mode(self) -> str:
        """Report the console as unpaged: netmiko's disable_paging and cleanup then change nothing."""
        return "standard"


_DRIVERS = {"fortinet": FortinetUnchangedConsole}


def unchanged_terminal_driver(device_type: str) -> Optional[Any]:
    """The driver class that leaves the terminal of ``device_type`` unchanged; None where netmiko's own does."""
    return _DRIVERS.get(device_type) if HAS_NETMIKO else None
