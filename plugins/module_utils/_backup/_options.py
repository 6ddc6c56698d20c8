# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup's tunables: BackupOptions, and the lowest value each one accepts (the module's spec holds their types)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._backup._reach import NO_OVERRIDES, ReachOverrides

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile


class BackupOptions:
    """Tunables of one backup call (the module's options)."""

    def __init__(self, connect_timeout: int = 10, command_timeout: int = 60, max_attempts: Optional[int] = None,
                 mask_secrets: bool = True, check_mode: bool = False, diff: bool = False, session_log: Any = None,
                 lockout_threshold: int = 0, host_key_checking: bool = False, known_hosts_file: Optional[str] = None,
                 platforms: Optional[Dict[str, Profile]] = None, keep_original: bool = True,
                 reach: ReachOverrides = NO_OVERRIDES) -> None:
        self.reach = reach  # the run's jump_host / transport / legacy_ssh overrides and its ssh_config_file
        self.keep_original = keep_original  # seal the unmasked text into device_configurations.original
        self.platforms = platforms  # device_type -> Profile; None: the built-in profiles (docs/platforms.md)
        self.host_key_checking = host_key_checking
        self.known_hosts_file = known_hosts_file
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.max_attempts = max_attempts
        self.mask_secrets = mask_secrets
        self.check_mode = check_mode
        self.diff = diff
        self.session_log = session_log
        self.lockout_threshold = lockout_threshold


# Lowest value each tunable accepts: a negative lockout_threshold guarded every credential,
# a negative max_attempts silently dropped the last credential of the chain.
TUNABLE_MINIMUMS = {"connect_timeout": 1, "command_timeout": 1, "max_attempts": 0, "lockout_threshold": 0}


def tunable_error(args: Mapping[str, Any]) -> str | None:
    """One line naming the first tunable below its minimum, or None when all are acceptable."""
    for name, minimum in TUNABLE_MINIMUMS.items():
        value = args.get(name)
        if value is not None and value < minimum:
            return "%s must be %d or more, got %d" % (name, minimum, value)
    return None
