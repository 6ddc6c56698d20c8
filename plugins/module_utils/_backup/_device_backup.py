# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup of one device: priority fallback through its credential chain.

For each credential of the chain, in order: decrypt, log in, fetch the configuration.
A rejected login records the failure and moves on; any other failure records it and
stops, because another credential cannot fix an unreachable or broken device and
would only add failed logins. A credential is never tried twice on one device in
one job. On success the configuration is checked for completeness, normalised,
hashed, masked and stored only when it differs from the device's latest.

The loop's facts are immutable values: each Attempt is made once, with its result, and
the DeviceOutcome is built once at the end; final_status() alone decides the status
from them. See docs/architecture.md, "The path of one device".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union, cast

import dataclasses
import functools
import os
import time
import traceback

from ansible_collections.netraven.netraven.plugins.module_utils._backup._store import (
    CLAIMED,
    GUARDED,
    WAIT,
    DeviceContext,
    SealedLogin,
    claim_attempt,
    force_claim,
    note_guarded,
    load_context,
    record_outcome,
    record_rejection,
)
from ansible_collections.netraven.netraven.plugins.module_utils._backup._device_text import config_hash
from ansible_collections.netraven.netraven.plugins.module_utils._backup._jump_chain import JumpChain
from ansible_collections.netraven.netraven.plugins.module_utils._backup._private_keys import paramiko_key
from ansible_collections.netraven.netraven.plugins.module_utils._backup._reach import Reach
from ansible_collections.netraven.netraven.plugins.module_utils._backup._attempt_error import AttemptError
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session import (
    REJECTED_MESSAGE,
    DeviceSession,
    knows_device_type,
)
from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import GENERIC, no_profile_message, profile_for
from ansible_collections.netraven.netraven.plugins.module_utils._backup._options import BackupOptions
from ansible_collections.netraven.netraven.plugins.module_utils._backup._outcome import (
    ACCEPTED,
    FAILED,
    SKIP_DELETED,
    SKIP_GUARDED,
    SKIP_REJECTED,
    Attempt,
    DeviceOutcome,
    FetchedConfig,
    Skip,
    Verdict,
    final_status,
)
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import DeviceStatus, ErrorType
from ansible_collections.netraven.netraven.plugins.module_utils._db._transactions import run_transaction

if TYPE_CHECKING:
    from typing import TypeGuard

    from sqlalchemy.engine import Connection, Engine

    from ansible_collections.netraven.netraven.plugins.module_utils._crypto import SecretBox
    from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile


CLAIM_POLL_SECONDS = 0.2


def _chain_ids(chain: Optional[Iterable[Union[Dict[str, Any], int]]]) -> List[int]:
    ids: List[int] = []
    for entry in chain or ():
        cred_id = int(entry["id"] if isinstance(entry, dict) else entry)
        if cred_id not in ids:
            ids.append(cred_id)
    return ids


def _internal_error_message(error: BaseException) -> str:
    """A bug met in the backup, named by the exception's type and where it was raised, never its text.

    That text could hold whatever value the failing code held, a decrypted password included.
    """
    frames = traceback.extract_tb(error.__traceback__)
    where = " at %s:%s" % (os.path.basename(frames[-1].filename), frames[-1].lineno) if frames else ""
    return "Internal error in the backup (%s%s): please report it to the collection's maintainers" % (
        type(error).__name__, where)


def _diff(before: Optional[str], after: str, hostname: str) -> Dict[str, str]:
    return {
        "before": before or "",
        "after": after,
        "before_header": "%s (stored)" % hostname,
        "after_header": "%s (device)" % hostname,
    }


def usable_chain(context: DeviceContext, chain_ids: Sequence[int], max_attempts: Optional[int]) -> Tuple[List[int], List[Skip]]:
    """(credential ids to try, in order; Skips of the others) before any login."""
    usable: List[int] = []
    skipped: List[Skip] = []
    for cred_id in chain_ids:
        if cred_id not in context.credentials:
            skipped.append(Skip(cred_id, SKIP_DELETED))
        elif cred_id in context.rejected_ids:
            skipped.append(Skip(cred_id, SKIP_REJECTED))
        elif cred_id in context.guarded_ids:
            skipped.append(Skip(cred_id, SKIP_GUARDED))
        else:
            usable.append(cred_id)
    if max_attempts:
        usable = usable[:max_attempts]
    return usable, skipped


class _Trail:
    """The loop's running record (private to one run): finished attempts, skips, the attempt in flight.

    route_error: the way to the device failed (a jump host) before any credential was tried.
    """

    def __init__(self, skipped: Iterable[Skip]) -> None:
        self.attempts: List[Attempt] = []
        self.skipped: List[Skip] = list(skipped)
        self.in_flight: Optional[Attempt] = None
        self.config: Optional[FetchedConfig] = None
        self.route_error: Optional[AttemptError] = None

    def finish(self, attempt: Attempt) -> None:
        self.attempts.append(attempt)
        self.in_flight = None


class Login(NamedTuple):
    """One credential's secrets, opened for one attempt: never stored, never in a repr."""

    password: Optional[str]
    enable_secret: Optional[str]
    pkey: Any

    def __repr__(self) -> str:
        return "Login(<secrets>)"


TELNET_WARNING = ("Telnet: the login of %d credential attempt(s) crossed the network in clear (transport telnet); "
                  "move the device to SSH when it can")


def _warnings(reach: Reach, attempts: Sequence[Attempt]) -> Tuple[str, ...]:
    """The device's warnings for the job log and the task result: telnet sent a password in clear (once per device)."""
    if reach.telnet and attempts:
        return (TELNET_WARNING % len(attempts),)
    return ()


class DeviceBackup:
    """Runs the attempt loop for one device and writes its records."""

    def __init__(self, engine: Engine, secret_box: SecretBox, options: BackupOptions) -> None:
        self.engine = engine
        self.secret_box = secret_box
        self.options = options

    def _claims(self, job_id: Optional[int]) -> TypeGuard[int]:
        return job_id is not None and not self.options.check_mode

    def _open(self, db: Connection, device_id: int, chain_ids: Sequence[int],
              job_id: Optional[int]) -> Tuple[DeviceContext, List[int], List[Skip], Optional[str]]:
        """The first transaction: the context, and (within a job) the claim of the first credential.

        One transaction instead of two on the happy path. The claim is the last statement,
        so the lock it may take on the credential row is held only until this commit.
        """
        context = load_context(db, device_id=device_id, credential_ids=chain_ids, job_id=job_id,
                               lockout_threshold=self.options.lockout_threshold, overrides=self.options.reach)
        usable, skipped = usable_chain(context, chain_ids, self.options.max_attempts)
        if self._claims(job_id):
            for skip in skipped:
                if skip.reason == SKIP_GUARDED:
                    note_guarded(db, job_id, {"id": skip.credential_id, "username": context.credentials[skip.credential_id][0]},
                                 self.options.lockout_threshold)
        first_claim = None
        # Behind jump hosts the way is checked first, so no credential is claimed before it is known to be open.
        if usable and self._claims(job_id) and not (context.reach.through_jump_hosts or context.route_error):
            first = usable[0]
            first_claim = claim_attempt(db, job_id, device_id, {"id": first, "username": context.credentials[first][0]},
                                        self.options.lockout_threshold)
        return context, usable, skipped, first_claim

    def run(self, device_id: int, chain: Optional[Iterable[Union[Dict[str, Any], int]]], job_id: Optional[int] = None) -> DeviceOutcome:
        """Back up one device; returns its DeviceOutcome (records written unless check mode)."""
        started = time.monotonic()
        chain_ids = _chain_ids(chain)
        context, usable, skipped, first_claim = run_transaction(self.engine, functools.partial(
            self._open, device_id=device_id, chain_ids=chain_ids, job_id=job_id))
        trail = _Trail(skipped)
        internal_error = None
        platform = self._profile(context.device["device_type"])
        try:
            if platform is not None:
                self._attempt_chain(trail, context, usable, job_id, first_claim, platform)
        except NetRavenError:
            raise  # The database failed: nothing more can be recorded.
        except Exception as error:  # pylint: disable=broad-except
            internal_error = _internal_error_message(error)
            if trail.in_flight is not None:
                trail.finish(dataclasses.replace(trail.in_flight, outcome=FAILED, error_type=ErrorType.UNEXPECTED,
                                                 message=internal_error))
            trail.config = None
        verdict = final_status(trail.attempts, trail.skipped, chain_ids, internal_error, trail.route_error)
        if platform is None:
            verdict = Verdict(DeviceStatus.FAILED_UNEXPECTED, ErrorType.NO_PROFILE,
                              no_profile_message(context.device["device_type"]))
        config = trail.config if verdict.status == DeviceStatus.SUCCESS else None
        outcome = DeviceOutcome(
            device_id=context.device["id"], hostname=context.device["hostname"], status=verdict.status,
            attempts=tuple(trail.attempts), skipped=tuple(trail.skipped), error_type=verdict.error_type,
            error_message=verdict.error_message, config=config, config_id=config.config_id if config else None,
            duration_ms=int((time.monotonic() - started) * 1000), warnings=_warnings(context.reach, trail.attempts))
        if self.options.check_mode:
            return outcome
        config_id = run_transaction(self.engine, functools.partial(record_outcome, outcome=outcome, job_id=job_id))
        return dataclasses.replace(outcome, config_id=config_id)

    def _profile(self, device_type: str) -> Optional[Profile]:
        """The device's platform profile; None (NO_PROFILE, no login) when netmiko knows the type but no profile serves it."""
        platform = profile_for(device_type, self.options.platforms)
        if platform is None and not knows_device_type(device_type):
            return GENERIC  # The session then names a type netmiko does not know, before any login.
        return platform

    def _attempt_chain(self, trail: _Trail, context: DeviceContext, usable: Sequence[int], job_id: Optional[int],
                       first_claim: Optional[str], platform: Profile) -> None:
        if not usable:
            return
        if context.route_error:
            trail.route_error = AttemptError(ErrorType.UNEXPECTED, context.route_error, route=True)
            return
        jump = self._jump_chain(context) if context.reach.through_jump_hosts else None
        try:
            if jump is not None:
                jump.open(context.device["ip_address"], context.device["port"])
            self._attempt_credentials(trail, context, usable, job_id, first_claim, platform, jump)
        except AttemptError as error:
            if not error.route or trail.in_flight is not None or trail.attempts:
                raise
            trail.route_error = error  # the way to the device failed before any credential was tried
        finally:
            if jump is not None:
                jump.close()

    def _jump_chain(self, context: DeviceContext) -> JumpChain:
        return JumpChain(context.reach.hops, self.secret_box, self.options.connect_timeout,
                         self.options.host_key_checking, self.options.known_hosts_file)

    def _attempt_credentials(self, trail: _Trail, context: DeviceContext, usable: Sequence[int], job_id: Optional[int],
                             first_claim: Optional[str], platform: Profile, jump: Optional[JumpChain]) -> None:
        device = context.device
        if first_claim not in (None, WAIT):
            self._first_claimed(trail, context, usable[0], first_claim)
        # The session log is masked as the stored copy is: this profile, these markers.
        session = DeviceSession(device["ip_address"], device["port"], device["device_type"],
                                self.options.connect_timeout, self.options.command_timeout, self.options.session_log,
                                self.options.host_key_checking, self.options.known_hosts_file,
                                reach=context.reach, jump=jump, hostname=device["hostname"],
                                profile=platform, marker_key=self.secret_box.marker_key())
        number = 0
        for index, cred_id in enumerate(usable):
            sealed = context.credentials[cred_id]
            username = sealed.username
            credential = {"id": cred_id, "username": username}
            taken_over = index == 0 and first_claim in (CLAIMED, GUARDED)
            if taken_over and first_claim == GUARDED:
                continue
            if not taken_over:
                claimed = self._claim(job_id, device["id"], credential)
                if claimed == GUARDED:
                    trail.skipped.append(Skip(cred_id, SKIP_GUARDED))
                    continue
                trail.in_flight = Attempt(number + 1, cred_id, username, claimed=bool(claimed))
            number += 1
            # Set just above, or by _first_claimed for the first transaction's claim.
            in_flight = cast(Attempt, trail.in_flight)
            try:
                output, printed = self._fetch(session, platform, username, self._login(sealed))
                # The configuration itself must be complete; the fact comments above it are not part of that check.
                if not platform.is_complete(printed):
                    raise AttemptError(ErrorType.TRUNCATED, "The configuration is incomplete (%d bytes, no proper end)"
                                       % len(printed))
            except AttemptError as error:
                attempt = dataclasses.replace(in_flight, error_type=error.error_type, message=error.message)
                if not attempt.rejected:
                    trail.finish(attempt)
                    return
                if not self.options.check_mode:
                    run_transaction(self.engine, functools.partial(
                        record_rejection, job_id=job_id, device_id=device["id"], credential=credential,
                        attempt=number, reason=None if error.message == REJECTED_MESSAGE else error.message))
                    attempt = dataclasses.replace(attempt, recorded=True)
                trail.finish(attempt)
                continue
            except NetRavenError as error:
                trail.finish(dataclasses.replace(in_flight, error_type=ErrorType.CREDENTIAL, message=str(error)))
                return
            trail.finish(dataclasses.replace(in_flight, outcome=ACCEPTED))
            trail.config = self._handle_config(context, platform, output, printed)
            return

    @staticmethod
    def _first_claimed(trail: _Trail, context: DeviceContext, cred_id: int, first_claim: str) -> None:
        """Take over the first transaction's claim: GUARDED is a skip, CLAIMED an attempt in flight at once.

        In flight before anything else can fail, so that an internal error still ends the
        attempt and the final transaction releases its claim.
        """
        if first_claim == GUARDED:
            trail.skipped.append(Skip(cred_id, SKIP_GUARDED))
        else:
            trail.in_flight = Attempt(1, cred_id, context.credentials[cred_id][0], claimed=True)

    def _claim(self, job_id: Optional[int], device_id: int, credential: Dict[str, Any]) -> Optional[str]:
        """Claim the attempt within the job: None outside a job or in check mode, else CLAIMED or GUARDED.

        While the guard says WAIT (other devices are trying this credential right now and
        their outcome decides), poll until it settles; past one attempt's worst-case
        duration the claims in the way belong to a killed run, and the attempt goes ahead.
        """
        if not self._claims(job_id):
            return None
        deadline = time.monotonic() + self.options.connect_timeout * 3 + self.options.command_timeout + 5

        def claim(db: Connection) -> str:
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

    def _login(self, sealed: SealedLogin) -> Login:
        """The credential's secrets, opened for one attempt (the key as the paramiko key it offers)."""
        def opened(token: Optional[str]) -> Optional[str]:
            return self.secret_box.decrypt(token) if token else None

        key_text = opened(sealed.private_key)
        pkey = paramiko_key(key_text, opened(sealed.private_key_passphrase)) if key_text else None
        return Login(opened(sealed.password), opened(sealed.enable_secret), pkey)

    @staticmethod
    def _fetch(session: DeviceSession, platform: Profile, username: str, login: Login) -> Tuple[str, str]:
        """The profile's commands in one login: (fact lines as comments then the configuration, the configuration alone).

        The second is what the device printed for its configuration commands, unmasked and
        without NetRaven's fact comments: the original that a restore needs.
        """
        outputs, _seconds = session.fetch_all(username, login.password, platform.facts + platform.commands,
                                              pre_commands=platform.pre_commands, enable=platform.enable,
                                              ended=platform.end_found, enable_secret=login.enable_secret,
                                              pkey=login.pkey, fallback=platform.fallback_for)
        facts, config = outputs[:len(platform.facts)], outputs[len(platform.facts):]
        printed = "\n".join(config)
        return platform.facts_block(facts) + printed, printed

    def _handle_config(self, context: DeviceContext, platform: Profile, output: str, printed: str) -> FetchedConfig:
        text = platform.mask_secrets(output, self.secret_box.marker_key()) if self.options.mask_secrets else output
        normalised = platform.normalise(text)
        digest = config_hash(normalised)
        latest = context.latest_config
        if latest is not None and latest["data_hash"] == digest:
            return FetchedConfig(changed=False, config_id=latest["id"])
        metadata = {
            "device_type": context.device["device_type"], "command": platform.command,
            "bytes": len(text), "lines": text.count("\n") + 1, "secrets_masked": bool(self.options.mask_secrets),
            "normalised_hash": digest,
        }
        diff = None
        if self.options.diff:
            before = platform.normalise(latest["config_data"]) if latest else ""
            diff = _diff(before, normalised, context.device["hostname"])
        # Sealed here, in the worker and only for a changed configuration, not inside the
        # final transaction: Fernet on 20 kB costs well under a millisecond (docs/history.md).
        sealed = self.secret_box.encrypt(printed) if self.options.keep_original else None
        return FetchedConfig(changed=True, store_text=text, data_hash=digest, config_metadata=metadata, diff=diff,
                             sealed_original=sealed)
