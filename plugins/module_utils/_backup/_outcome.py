# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The values of one device's backup: each Attempt, each Skip, the FetchedConfig, the DeviceOutcome, and final_status.

They are immutable: each Attempt is made once, with its result, and the DeviceOutcome is
built once at the end; final_status() alone decides the device's status from them. The
attempt loop (_device_backup) makes them and the store (_store) writes them, so they live
apart from both (docs/architecture.md, "The path of one device").
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._statuses import (
    FALLBACK_ERRORS,
    NO_CHAIN_MESSAGE,
    DeviceStatus,
    ErrorType,
    device_status_for_error,
)

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._backup._attempt_error import AttemptError

ACCEPTED = "accepted"
FAILED = "failed"
LOCKOUT_MESSAGE = "Every credential of the chain is held back by the lockout guard in this job"
ALL_DELETED_MESSAGE = "Every credential of the chain was deleted"
ALL_REJECTED_MESSAGE = "Every credential of the chain was already rejected on this device in this job"
SKIP_DELETED = "deleted"
SKIP_REJECTED = "already rejected on this device in this job"
SKIP_GUARDED = "lockout guard"


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One login attempt with one credential, made once its result is known.

    claimed: a job_credential_attempts claim row exists for it (the store releases it
    unless the login was rejected). recorded: its rejection was committed already
    (metrics and log), so the final transaction must not write them again.
    """

    number: int
    credential_id: int
    credential_username: str
    outcome: str = FAILED
    error_type: Optional[str] = None
    message: Optional[str] = None
    claimed: bool = False
    recorded: bool = False

    @property
    def accepted(self) -> bool:
        return self.outcome == ACCEPTED

    @property
    def rejected(self) -> bool:
        """A rejected login: the one failure after which the chain goes on."""
        return not self.accepted and self.error_type in FALLBACK_ERRORS

    def result(self) -> Dict[str, Any]:
        """The attempt as the task result shows it (no loop bookkeeping)."""
        result: Dict[str, Any] = {"attempt": self.number, "credential_id": self.credential_id,
                                  "credential_username": self.credential_username, "outcome": self.outcome,
                                  "error_type": self.error_type}
        if not self.accepted:
            result["message"] = self.message
        return result


@dataclasses.dataclass(frozen=True)
class Skip:
    """A credential of the chain that was not tried, and why."""

    credential_id: int
    reason: str

    def result(self) -> Dict[str, Any]:
        return {"credential_id": self.credential_id, "reason": self.reason}


@dataclasses.dataclass(frozen=True)
class FetchedConfig:
    """What the fetched configuration means for the store: changed or not, and what to write."""

    changed: bool
    config_id: Optional[int] = None
    store_text: Optional[str] = None
    data_hash: Optional[str] = None
    config_metadata: Optional[Dict[str, Any]] = None
    diff: Optional[Dict[str, str]] = None
    # The text as the device printed it, sealed with the encryption key (docs/history.md); never in a repr.
    sealed_original: Optional[str] = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The device's final status and the error that gave it."""

    status: str
    error_type: Optional[str] = None
    error_message: Optional[str] = None


def final_status(attempts: Sequence[Attempt], skipped: Sequence[Skip], chain_ids: Sequence[int],
                 internal_error: Optional[str] = None, route_error: Optional[AttemptError] = None) -> Verdict:
    """The one rule for a device's status, from what the loop found.

    The last attempt decides: accepted is SUCCESS, else its error's status. A way to the
    device that failed before any credential was tried (route_error: a jump host down or
    refusing its own login) decides alone: its error's status, naming the jump host. Without
    any attempt, only a device without a usable credential at all (no chain, or every
    credential deleted) is NO_CREDENTIALS; credentials held back by the lockout guard, or
    already rejected on this device in this job, are failed logins: FAILED_AUTH.
    """
    if internal_error is not None:
        return Verdict(DeviceStatus.FAILED_UNEXPECTED, ErrorType.UNEXPECTED, internal_error)
    if route_error is not None and not attempts:
        return Verdict(device_status_for_error(route_error.error_type), route_error.error_type, route_error.message)
    if attempts:
        last = attempts[-1]
        if last.accepted:
            return Verdict(DeviceStatus.SUCCESS)
        return Verdict(device_status_for_error(last.error_type), last.error_type, last.message)
    reasons = {skip.reason for skip in skipped}
    if not chain_ids:
        return Verdict(DeviceStatus.NO_CREDENTIALS, None, NO_CHAIN_MESSAGE)
    if reasons <= {SKIP_DELETED}:
        return Verdict(DeviceStatus.NO_CREDENTIALS, None, ALL_DELETED_MESSAGE)
    if SKIP_GUARDED in reasons:
        return Verdict(DeviceStatus.FAILED_AUTH, ErrorType.LOCKOUT_GUARD, LOCKOUT_MESSAGE)
    return Verdict(DeviceStatus.FAILED_AUTH, ErrorType.AUTH, ALL_REJECTED_MESSAGE)


@dataclasses.dataclass(frozen=True)
class DeviceOutcome:
    """Everything one device's backup found out; becomes the records and the task result."""

    device_id: int
    hostname: str
    status: str
    attempts: Tuple[Attempt, ...] = ()
    skipped: Tuple[Skip, ...] = ()
    error_type: Optional[str] = None
    error_message: Optional[str] = None
    config: Optional[FetchedConfig] = None
    config_id: Optional[int] = None
    duration_ms: int = 0
    # Said once per device, in the job log and the task result (a password sent in clear over telnet).
    warnings: Tuple[str, ...] = ()

    @property
    def successful(self) -> bool:
        """True when the configuration was fetched."""
        return self.status == DeviceStatus.SUCCESS

    @property
    def last_attempt(self) -> Optional[Attempt]:
        return self.attempts[-1] if self.attempts else None

    @property
    def credential_id(self) -> Optional[int]:
        """The credential of the last attempt (the one that worked, or the last one tried)."""
        return self.attempts[-1].credential_id if self.attempts else None

    @property
    def credential_username(self) -> Optional[str]:
        return self.attempts[-1].credential_username if self.attempts else None

    @property
    def changed(self) -> bool:
        return bool(self.config and self.config.changed)

    @property
    def store_text(self) -> Optional[str]:
        """The text to store: set only when the configuration changed."""
        return self.config.store_text if self.config else None

    @property
    def diff(self) -> Optional[Dict[str, str]]:
        return self.config.diff if self.config else None

    @property
    def retry_count(self) -> int:
        """Credentials that failed before the one that worked (or the last one tried)."""
        return max(len(self.attempts) - 1, 0)

    def details(self) -> Dict[str, Any]:
        """The job_results.details JSON (no secrets)."""
        return {
            "hostname": self.hostname,
            "credential_id": self.credential_id,
            "credential_username": self.credential_username,
            "retry_count": self.retry_count,
            "attempts": len(self.attempts),
            "error_type": self.error_type,
            "error_message": self.error_message,
            "changed": self.changed,
            "config_id": self.config_id,
            "duration_ms": self.duration_ms,
            "skipped_credentials": [skip.result() for skip in self.skipped],
        }

    def result(self) -> Dict[str, Any]:
        """The task result fields (see docs/architecture.md, "The path of one device")."""
        result: Dict[str, Any] = {
            "status": self.status,
            "device_id": self.device_id,
            "credential_id": self.credential_id,
            "credential_username": self.credential_username,
            "retry_count": self.retry_count,
            "attempts": [attempt.result() for attempt in self.attempts],
            "skipped_credentials": [skip.result() for skip in self.skipped],
            "changed": self.changed,
            "config_id": self.config_id,
            "duration_ms": self.duration_ms,
        }
        if self.diff is not None:
            result["diff"] = self.diff
        if self.warnings:
            result["warnings"] = list(self.warnings)
        if not self.successful:
            result["failed"] = True
            result["msg"] = "%s: %s" % (self.status, self.error_message or self.status)
        else:
            result["msg"] = "Configuration %s (credential '%s', %d attempt%s)" % (
                "changed" if self.changed else "unchanged", self.credential_username, len(self.attempts),
                "" if len(self.attempts) == 1 else "s")
        return result
