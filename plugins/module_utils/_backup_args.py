# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of netraven.netraven.backup, shared by the module file (docs) and the action plugin."""

from __future__ import annotations

from ansible_collections.netraven.netraven.plugins.module_utils._module_base import (
    DATABASE_ARGSPEC,
    ENCRYPTION_ARGSPEC,
)

BACKUP_ARGSPEC = dict(DATABASE_ARGSPEC)
BACKUP_ARGSPEC.update(ENCRYPTION_ARGSPEC)
BACKUP_ARGSPEC.update({
    "device_id": {"type": "int"},
    "credentials": {"type": "list", "elements": "raw"},
    "job_id": {"type": "int"},
    "connect_timeout": {"type": "int", "default": 10},
    "command_timeout": {"type": "int", "default": 60},
    "max_attempts": {"type": "int"},
    "mask_secrets": {"type": "bool", "default": True},
    "session_log_dir": {"type": "path"},
    "lockout_threshold": {"type": "int", "default": 5},
    "host_key_checking": {"type": "bool"},
    "known_hosts_file": {"type": "path"},
})
