# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AttemptError: how one login attempt (or the way to the device) failed, as an error type and a storable line.

Its own module because the session, the command read and the jump host chain all raise it,
and the attempt loop judges it (docs/architecture.md, "The path of one device").
"""

from __future__ import annotations

from ansible_collections.netraven.netraven.plugins.module_utils._backup._device_text import clean_message
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import device_status_for_error


class AttemptError(Exception):
    """A failed attempt: error_type (ErrorType) and a one-line, password-free message.

    The message often carries the device's own text (an SSH greeting, netmiko's error
    quoting the output): it is cleaned here (clean_message), once for every path, so it
    is always storable, even on PostgreSQL, which refuses a NUL in text.

    ``route`` marks a failure on the way to the device (a jump host down, refusing its own
    login, or unable to reach the device): it fails the device before any of its credentials
    is tried, and is never a rejected login.
    """

    def __init__(self, error_type: str, message: str, route: bool = False) -> None:
        message = clean_message(message)
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.route = route

    @property
    def status(self) -> str:
        """The device status this error gives when it ends the chain."""
        return device_status_for_error(self.error_type)
