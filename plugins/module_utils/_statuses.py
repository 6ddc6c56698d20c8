# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Status names and every rule between them: the one home of the status rules.

Names (the values the database stores) and the tables that relate them: error type to
device status, device status to report colour, attempt and job outcome to log level,
and the job's final-status rule (as a Python function and as the SQL CASE that the
finishing UPDATE evaluates, both built from one ordered list). See docs/architecture.md,
"Where each rule lives".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, overload

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement


class DeviceStatus:
    """Outcome of one device in one job (job_results.status)."""

    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED_AUTH = "FAILED_AUTH"
    FAILED_UNREACHABLE = "FAILED_UNREACHABLE"
    FAILED_SSH = "FAILED_SSH"
    FAILED_TIMEOUT = "FAILED_TIMEOUT"
    FAILED_TRUNCATED = "FAILED_TRUNCATED"
    NO_CREDENTIALS = "NO_CREDENTIALS"
    FAILED_UNEXPECTED = "FAILED_UNEXPECTED"

    ALL = (PENDING, SUCCESS, FAILED_AUTH, FAILED_UNREACHABLE, FAILED_SSH, FAILED_TIMEOUT,
           FAILED_TRUNCATED, NO_CREDENTIALS, FAILED_UNEXPECTED)
    FINISHED = (SUCCESS, FAILED_AUTH, FAILED_UNREACHABLE, FAILED_SSH, FAILED_TIMEOUT, FAILED_TRUNCATED,
                NO_CREDENTIALS, FAILED_UNEXPECTED)


class JobStatus:
    """Lifecycle and final statuses of a job (jobs.status)."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED_SUCCESS = "COMPLETED_SUCCESS"
    COMPLETED_PARTIAL_FAILURE = "COMPLETED_PARTIAL_FAILURE"
    COMPLETED_FAILURE = "COMPLETED_FAILURE"
    COMPLETED_NO_DEVICES = "COMPLETED_NO_DEVICES"
    COMPLETED_NO_CREDENTIALS = "COMPLETED_NO_CREDENTIALS"
    FAILED_UNEXPECTED = "FAILED_UNEXPECTED"
    FAILED_DISPATCHER_ERROR = "FAILED_DISPATCHER_ERROR"
    FAILED_CREDENTIAL_RESOLUTION = "FAILED_CREDENTIAL_RESOLUTION"

    ACTIVE = (PENDING, RUNNING)
    FINAL = (COMPLETED_SUCCESS, COMPLETED_PARTIAL_FAILURE, COMPLETED_FAILURE, COMPLETED_NO_DEVICES,
             COMPLETED_NO_CREDENTIALS, FAILED_UNEXPECTED, FAILED_DISPATCHER_ERROR,
             FAILED_CREDENTIAL_RESOLUTION)


class ComplianceStatus:
    """The outcome of one compliance rule on one device (docs/compliance.md)."""

    COMPLIANT = "COMPLIANT"
    NON_COMPLIANT = "NON_COMPLIANT"
    # The rule's scope (platforms, tags) leaves the device out, no block matched its section,
    # or the device has no stored configuration.
    NOT_APPLICABLE = "NOT_APPLICABLE"

    ALL = (COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE)


class LogLevel:
    """job_logs.level values."""

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"


class ErrorType:
    """error_type values in job_logs.data and connection_logs.error_type."""

    AUTH = "AUTH"
    UNREACHABLE = "UNREACHABLE"
    SSH = "SSH"
    TIMEOUT = "TIMEOUT"
    TRUNCATED = "TRUNCATED"
    UNEXPECTED = "UNEXPECTED"
    CREDENTIAL = "CREDENTIAL"
    GENERAL = "GENERAL"
    DATABASE = "DATABASE"
    LOCKOUT_GUARD = "LOCKOUT_GUARD"
    # The device type has no platform profile: the device is not logged in to (docs/platforms.md).
    NO_PROFILE = "NO_PROFILE"


# The one wording of a device whose chain is empty (job start and backup both report it).
NO_CHAIN_MESSAGE = "No credential shares a tag with this device"

# Error type of the attempt that ended the chain -> the device's status (looked up with None too: no error type).
ERROR_STATUS: dict[str | None, str] = {
    ErrorType.AUTH: DeviceStatus.FAILED_AUTH,
    ErrorType.LOCKOUT_GUARD: DeviceStatus.FAILED_AUTH,
    ErrorType.UNREACHABLE: DeviceStatus.FAILED_UNREACHABLE,
    ErrorType.SSH: DeviceStatus.FAILED_SSH,
    ErrorType.TIMEOUT: DeviceStatus.FAILED_TIMEOUT,
    ErrorType.TRUNCATED: DeviceStatus.FAILED_TRUNCATED,
    ErrorType.UNEXPECTED: DeviceStatus.FAILED_UNEXPECTED,
    ErrorType.CREDENTIAL: DeviceStatus.FAILED_UNEXPECTED,
}

# Error types after which the next credential of the chain is tried: only a rejected login.
# Another credential cannot fix an unreachable or broken device and would only add failed logins.
FALLBACK_ERRORS = frozenset({ErrorType.AUTH})

# Device status -> colour name in the job report (anything unlisted is a failure: red).
DEVICE_STATUS_COLOR = {
    DeviceStatus.SUCCESS: "green",
    DeviceStatus.PENDING: "gray",
    DeviceStatus.NO_CREDENTIALS: "yellow",
}

# Compliance status -> colour name in the job report and the compliance page.
COMPLIANCE_STATUS_COLOR = {
    ComplianceStatus.COMPLIANT: "green",
    ComplianceStatus.NON_COMPLIANT: "red",
    ComplianceStatus.NOT_APPLICABLE: "gray",
}

# Level of the "Job finished" log row: device failures are the devices' errors, not the job's.
FINAL_LOG_LEVEL = {
    JobStatus.COMPLETED_SUCCESS: LogLevel.INFO,
    JobStatus.COMPLETED_PARTIAL_FAILURE: LogLevel.WARNING,
    JobStatus.COMPLETED_FAILURE: LogLevel.WARNING,
    JobStatus.COMPLETED_NO_DEVICES: LogLevel.INFO,
}

# The job's final status from its result counts: the first rule that holds wins.
# Each rule is (name of the condition, status); the conditions are over (succeeded, total).
FINAL_STATUS_RULES = (
    ("no_devices", JobStatus.COMPLETED_NO_DEVICES),
    ("all_succeeded", JobStatus.COMPLETED_SUCCESS),
    ("some_succeeded", JobStatus.COMPLETED_PARTIAL_FAILURE),
)
FINAL_STATUS_OTHERWISE = JobStatus.COMPLETED_FAILURE


def device_status_for_error(error_type: str | None) -> str:
    """The device status an error gives when it ends the chain."""
    return ERROR_STATUS.get(error_type, DeviceStatus.FAILED_UNEXPECTED)


def device_colour(status: str) -> str:
    """The report colour of a device status."""
    return DEVICE_STATUS_COLOR.get(status, "red")


def compliance_colour(status: str) -> str:
    """The report colour of a compliance status."""
    return COMPLIANCE_STATUS_COLOR.get(status, "gray")


def compliance_percent(compliant: int, non_compliant: int) -> float:
    """The share of applicable (device, rule) pairs that comply, in percent to one decimal.

    NOT_APPLICABLE pairs count for neither side (as in Nautobot Golden Config); with no
    applicable pair nothing fails, so the estate is 100% compliant.
    """
    applicable = compliant + non_compliant
    return 100.0 if not applicable else round(100.0 * compliant / applicable, 1)


def compliance_counts(counts: Mapping[str, int]) -> Dict[str, Any]:
    """The counts of (device, rule) pairs by status and the percent compliant, as every summary shows them."""
    compliant, non_compliant = counts.get(ComplianceStatus.COMPLIANT, 0), counts.get(ComplianceStatus.NON_COMPLIANT, 0)
    return {"compliant": compliant, "non_compliant": non_compliant,
            "not_applicable": counts.get(ComplianceStatus.NOT_APPLICABLE, 0),
            "percent": compliance_percent(compliant, non_compliant)}


def final_log_level(job_status: str) -> str:
    """The level of a job's "Job finished" log row."""
    return FINAL_LOG_LEVEL.get(job_status, LogLevel.INFO)


def attempt_log_level(success: bool, error_type: str | None) -> str:
    """Level of a login attempt's job_logs row: a rejection is a WARNING, anything else failing an ERROR."""
    if success:
        return LogLevel.INFO
    return LogLevel.WARNING if error_type in FALLBACK_ERRORS else LogLevel.ERROR


def runner_error_level(error_type: str) -> str:
    """Level of a job-level error row: ERROR for credential problems, CRITICAL for anything else."""
    return LogLevel.ERROR if error_type == ErrorType.CREDENTIAL else LogLevel.CRITICAL


@overload
def _final_conditions(succeeded: int, total: int) -> dict[str, bool]: ...


@overload
def _final_conditions(succeeded: ColumnElement[Any], total: ColumnElement[Any]) -> dict[str, ColumnElement[bool]]: ...


def _final_conditions(succeeded: Any, total: Any) -> dict[str, Any]:
    """The conditions of FINAL_STATUS_RULES, over numbers (Python) or SQL expressions (the CASE)."""
    return {"no_devices": total == 0, "all_succeeded": succeeded == total, "some_succeeded": succeeded > 0}


def final_job_status(succeeded: int, total: int) -> str:
    """The job's final status from its counts (the same rules as final_status_case)."""
    conditions = _final_conditions(succeeded, total)
    for name, status in FINAL_STATUS_RULES:
        if conditions[name]:
            return status
    return FINAL_STATUS_OTHERWISE


def final_status_case(succeeded: ColumnElement[Any], total: ColumnElement[Any]) -> ColumnElement[str]:
    """The SQL CASE of final_job_status, over two SQL expressions (the finishing UPDATE evaluates it)."""
    import sqlalchemy as sa  # pylint: disable=import-outside-toplevel

    conditions = _final_conditions(succeeded, total)
    return sa.case(*[(conditions[name], status) for name, status in FINAL_STATUS_RULES], else_=FINAL_STATUS_OTHERWISE)
