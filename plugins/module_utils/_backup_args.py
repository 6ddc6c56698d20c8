# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of netraven.netraven.backup, shared by the module file (docs) and the action plugin."""

from __future__ import annotations

from ansible_collections.netraven.netraven.plugins.module_utils._module_base import argspec

BACKUP_ARGSPEC = argspec(
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
)

# Lowest value each tunable accepts: a negative lockout_threshold guarded every credential,
# a negative max_attempts silently dropped the last credential of the chain.
TUNABLE_MINIMUMS = {"connect_timeout": 1, "command_timeout": 1, "max_attempts": 0, "lockout_threshold": 0}


def tunable_error(args: dict) -> str | None:
    """One line naming the first tunable below its minimum, or None when all are acceptable."""
    for name, minimum in TUNABLE_MINIMUMS.items():
        value = args.get(name)
        if value is not None and value < minimum:
            return "%s must be %d or more, got %d" % (name, minimum, value)
    return None
