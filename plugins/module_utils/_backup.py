# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup of one device: priority fallback through its credential chain (DESIGN 5).

For each credential of the chain, in order: decrypt, log in, fetch the configuration.
A rejected login records the failure and moves on; any other failure records it and
stops, because another credential cannot fix an unreachable or broken device and
would only add failed logins. A credential is never tried twice on one device in
one job. On success the configuration is checked for completeness, normalised,
hashed, masked and stored only when it differs from the device's latest.
"""

from __future__ import annotations

import functools
import os
import time
import traceback

from ansible_collections.netraven.netraven.plugins.module_utils._backup_store import (
    CLAIMED,
    GUARDED,
    WAIT,
    claim_attempt,
    force_claim,
    load_context,
    record_outcome,
    record_rejection,
)
from ansible_collections.netraven.netraven.plugins.module_utils._config_text import config_hash, platform_for
from ansible_collections.netraven.netraven.plugins.module_utils._device_session import AttemptError, DeviceSession
from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import DeviceStatus, ErrorType
from ansible_collections.netraven.netraven.plugins.module_utils._transactions import run_transaction


CLAIM_POLL_SECONDS = 0.2


class BackupOptions:
    """Tunables of one backup call (the module's options)."""

    def __init__(self, connect_timeout=10, command_timeout=60, max_attempts=None, mask_secrets=True,
                 check_mode=False, diff=False, session_log=None, lockout_threshold=0, host_key_checking=False,
                 known_hosts_file=None):
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


class DeviceOutcome:
    """Everything one device's backup found out; becomes the records and the task result."""

    def __init__(self, device_id, hostname):
        self.device_id = device_id
        self.hostname = hostname
        self.status = DeviceStatus.FAILED_UNEXPECTED
        self.attempts = []
        self.skipped = []
        self.credential_id = None
        self.credential_username = None
        self.error_type = None
        self.error_message = None
        self.changed = False
        self.config_id = None
        self.store_text = None
        self.data_hash = None
        self.config_metadata = None
        self.diff = None
        self.duration_ms = 0

    @property
    def successful(self):
        """True when the configuration was fetched."""
        return self.status == DeviceStatus.SUCCESS

    @property
    def retry_count(self):
        """Credentials that failed before the one that worked (or the last one tried)."""
        return max(len(self.attempts) - 1, 0)

    def details(self):
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
            "skipped_credentials": self.skipped,
        }

    def result(self):
        """The task result fields of DESIGN 5."""
        result = {
            "status": self.status,
            "device_id": self.device_id,
            "credential_id": self.credential_id,
            "credential_username": self.credential_username,
            "retry_count": self.retry_count,
            "attempts": [{k: v for k, v in a.items() if k not in ("recorded", "claimed")} for a in self.attempts],
            "skipped_credentials": self.skipped,
            "changed": self.changed,
            "config_id": self.config_id,
            "duration_ms": self.duration_ms,
        }
        if self.diff is not None:
            result["diff"] = self.diff
        if not self.successful:
            result["failed"] = True
            result["msg"] = "%s: %s" % (self.status, self.error_message or self.status)
        else:
            result["msg"] = "Configuration %s (credential '%s', %d attempt%s)" % (
                "changed" if self.changed else "unchanged", self.credential_username, len(self.attempts),
                "" if len(self.attempts) == 1 else "s")
        return result


def _chain_ids(chain):
    ids = []
    for entry in chain or ():
        cred_id = int(entry["id"] if isinstance(entry, dict) else entry)
        if cred_id not in ids:
            ids.append(cred_id)
    return ids


def _internal_error(outcome, error):
    """Record a bug met in the backup as the device's FAILED_UNEXPECTED outcome, not a lost device.

    The message names the exception's type and where it was raised, never its text: that
    text could hold whatever value the failing code held, a decrypted password included.
    """
    frames = traceback.extract_tb(error.__traceback__)
    where = " at %s:%d" % (os.path.basename(frames[-1].filename), frames[-1].lineno) if frames else ""
    message = "Internal error in the backup (%s%s): please report it to the collection's maintainers" % (
        type(error).__name__, where)
    outcome.status, outcome.error_type, outcome.error_message = DeviceStatus.FAILED_UNEXPECTED, ErrorType.UNEXPECTED, message
    outcome.changed, outcome.store_text, outcome.diff, outcome.config_id = False, None, None, None
    if outcome.attempts and "outcome" not in outcome.attempts[-1]:
        outcome.attempts[-1].update(outcome="failed", error_type=ErrorType.UNEXPECTED, message=message)


def _diff(before, after, hostname):
    return {
        "before": before or "",
        "after": after,
        "before_header": "%s (stored)" % hostname,
        "after_header": "%s (device)" % hostname,
    }


class DeviceBackup:
    """Runs the attempt loop for one device and writes its records."""

    def __init__(self, engine, secret_box, options):
        self.engine = engine
        self.secret_box = secret_box
        self.options = options

    def run(self, device_id, chain, job_id=None):
        """Back up one device; returns its DeviceOutcome (records written unless check mode)."""
        started = time.monotonic()
        context = run_transaction(self.engine, functools.partial(
            load_context, device_id=device_id, credential_ids=_chain_ids(chain), job_id=job_id,
            lockout_threshold=self.options.lockout_threshold))
        device = context.device
        outcome = DeviceOutcome(device["id"], device["hostname"])
        try:
            self._attempt_chain(outcome, context, _chain_ids(chain), job_id)
        except NetRavenError:
            raise  # The database failed: nothing more can be recorded.
        except Exception as error:  # pylint: disable=broad-except
            _internal_error(outcome, error)
        finally:
            outcome.duration_ms = int((time.monotonic() - started) * 1000)
        if not self.options.check_mode:
            run_transaction(self.engine, functools.partial(record_outcome, outcome=outcome, job_id=job_id))
        return outcome

    def _usable_chain(self, outcome, context, chain_ids):
        usable = []
        for cred_id in chain_ids:
            if cred_id not in context.credentials:
                outcome.skipped.append({"credential_id": cred_id, "reason": "deleted"})
            elif cred_id in context.rejected_ids:
                outcome.skipped.append({"credential_id": cred_id, "reason": "already rejected on this device in this job"})
            elif cred_id in context.guarded_ids:
                outcome.skipped.append({"credential_id": cred_id, "reason": "lockout guard"})
            else:
                usable.append(cred_id)
        if self.options.max_attempts:
            usable = usable[:self.options.max_attempts]
        return usable

    def _attempt_chain(self, outcome, context, chain_ids, job_id):
        device = context.device
        usable = self._usable_chain(outcome, context, chain_ids)
        if not usable:
            self._nothing_to_try(outcome, chain_ids)
            return
        platform = platform_for(device["device_type"])
        session = DeviceSession(device["ip_address"], device["port"], device["device_type"],
                                self.options.connect_timeout, self.options.command_timeout, self.options.session_log,
                                self.options.host_key_checking, self.options.known_hosts_file)
        number = 0
        for cred_id in usable:
            username, ciphertext = context.credentials[cred_id]
            claimed = self._claim(job_id, device["id"], {"id": cred_id, "username": username})
            if claimed == GUARDED:
                outcome.skipped.append({"credential_id": cred_id, "reason": "lockout guard"})
                continue
            number += 1
            attempt = {"attempt": number, "credential_id": cred_id, "credential_username": username,
                       "claimed": bool(claimed)}
            outcome.attempts.append(attempt)
            outcome.credential_id, outcome.credential_username = cred_id, username
            try:
                password = self.secret_box.decrypt(ciphertext)
                output, _seconds = session.fetch(username, password, platform.command)
                if not platform.is_complete(output):
                    raise AttemptError(ErrorType.TRUNCATED, "The configuration is incomplete (%d bytes, no proper end)"
                                       % len(output))
            except AttemptError as error:
                attempt.update(outcome="failed", error_type=error.error_type, message=error.message)
                outcome.error_type, outcome.error_message, outcome.status = error.error_type, error.message, error.status
                if error.error_type != ErrorType.AUTH:
                    return
                if not self.options.check_mode:
                    run_transaction(self.engine, functools.partial(
                        record_rejection, job_id=job_id, device_id=device["id"],
                        credential={"id": cred_id, "username": username}, attempt=number))
                    attempt["recorded"] = True
                continue
            except NetRavenError as error:
                attempt.update(outcome="failed", error_type=ErrorType.CREDENTIAL, message=str(error))
                outcome.error_type, outcome.error_message = ErrorType.CREDENTIAL, str(error)
                outcome.status = DeviceStatus.FAILED_UNEXPECTED
                return
            attempt.update(outcome="accepted", error_type=None)
            outcome.status = DeviceStatus.SUCCESS
            outcome.error_type = outcome.error_message = None
            self._handle_config(outcome, context, platform, output)
            return
        if not outcome.attempts:
            outcome.status = DeviceStatus.FAILED_AUTH
            outcome.error_type = ErrorType.LOCKOUT_GUARD
            outcome.error_message = "Every credential of the chain is held back by the lockout guard in this job"

    @staticmethod
    def _nothing_to_try(outcome, chain_ids):
        """The status of a device none of whose credentials may be tried.

        Only a device without a usable credential at all (no chain, or every credential
        deleted) is NO_CREDENTIALS. Credentials held back by the lockout guard, or already
        rejected on this device in this job, are failed logins: FAILED_AUTH, the same status
        the device gets when the guard stops its credentials one by one in the attempt loop.
        """
        reasons = {entry["reason"] for entry in outcome.skipped}
        if not chain_ids or reasons <= {"deleted"}:
            outcome.status = DeviceStatus.NO_CREDENTIALS
            outcome.error_message = ("No credential shares a tag with this device" if not chain_ids
                                     else "Every credential of the chain was deleted")
            return
        outcome.status = DeviceStatus.FAILED_AUTH
        if "lockout guard" in reasons:
            outcome.error_type = ErrorType.LOCKOUT_GUARD
            outcome.error_message = "Every credential of the chain is held back by the lockout guard in this job"
        else:
            outcome.error_type = ErrorType.AUTH
            outcome.error_message = "Every credential of the chain was already rejected on this device in this job"

    def _claim(self, job_id, device_id, credential):
        """Claim the attempt within the job: None outside a job or in check mode, else CLAIMED or GUARDED.

        While the guard says WAIT (other devices are trying this credential right now and
        their outcome decides), poll until it settles; past one attempt's worst-case
        duration the claims in the way belong to a killed run, and the attempt goes ahead.
        """
        if job_id is None or self.options.check_mode:
            return None
        deadline = time.monotonic() + self.options.connect_timeout * 3 + self.options.command_timeout + 5

        def claim(db):
            state = claim_attempt(db, job_id, device_id, credential, self.options.lockout_threshold)
            if state == WAIT and time.monotonic() > deadline:
                force_claim(db, job_id, device_id, credential["id"])
                return CLAIMED
            return state

        while True:
            state = run_transaction(self.engine, claim)
            if state != WAIT:
                return state
            time.sleep(CLAIM_POLL_SECONDS)

    def _handle_config(self, outcome, context, platform, output):
        text = platform.mask_secrets(output) if self.options.mask_secrets else output
        normalised = platform.normalise(text)
        digest = config_hash(normalised)
        latest = context.latest_config
        outcome.changed = latest is None or latest["data_hash"] != digest
        if latest is not None and not outcome.changed:
            outcome.config_id = latest["id"]
        if outcome.changed:
            outcome.store_text = text
            outcome.data_hash = digest
            outcome.config_metadata = {
                "device_type": context.device["device_type"], "command": platform.command,
                "bytes": len(text), "lines": text.count("\n") + 1, "secrets_masked": bool(self.options.mask_secrets),
                "normalised_hash": digest,
            }
        if self.options.diff and outcome.changed:
            before = platform.normalise(latest["config_data"]) if latest else ""
            outcome.diff = _diff(before, normalised, context.device["hostname"])
