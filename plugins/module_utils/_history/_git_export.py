# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the latest masked configurations into a git working tree (the git_export module's core).

See docs/history.md, "Configurations in git". The ``git`` executable does the work, run
with the caller's environment minus every ``NETRAVEN_*`` variable (the encryption keys and
the database URL are none of git's or its hooks' business), so git's own configuration,
credential helpers and SSH agent decide how a push authenticates: no credential passes
through NetRaven.

Names from the database become paths: ``<hostname>.cfg``, and in the tag layout the tag's
name as its folder. Whatever the database holds (rows written by other tools are checked by
nobody), nothing is written outside the tree: a name that is not one safe path component
(_manage._names) skips its device with a warning naming it, and every file is written by
walking the tree one directory at a time without following a symbolic link, then renaming a
new file over the old name, so a link or a hard link planted in the tree is replaced, never
written through.

An export problem (not a repository, a dirty tree, a failed push) is reported as one
line beside the job's status. It never raises into the backup: the configurations are
already safe in the database and the next export catches up.

A remote URL may still carry a password (https://user:pass@host/repo.git) or a token (as the
user of an https URL, or in its query: ?private_token=...). It is never shown: every message
names the remote with it masked (_db._url_masking, also for a URL that does not parse) and
scrubs it from git's own text, and the module hides it in the invocation Ansible returns. The push never prompts (a
missing credential is a failed push, not a hung playbook).
"""

from __future__ import annotations

import datetime
import os
import subprocess
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._history._diff import diff_configs
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._url_masking import mask_text, mask_url, url_secrets
from ansible_collections.netraven.netraven.plugins.module_utils._history._git_tree import UnsafePath, read_in_tree, write_in_tree
from ansible_collections.netraven.netraven.plugins.module_utils._manage._names import unsafe_path_reason
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    HAS_SQLALCHEMY,
    Device,
    DeviceConfiguration,
    Job,
    JobResult,
    Tag,
    device_tag_association,
)
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import JobStatus

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

# hostname -> (path in the tree, text, config id): what the tree holds after one job.
Snapshot = Dict[str, Tuple[str, str, int]]
# (name, email) of the commits.
Author = Tuple[str, str]

SUFFIX = ".cfg"
UNTAGGED = "_untagged"
DEFAULT_AUTHOR = ("NetRaven", "netraven@localhost")
# The schemes whose lone URL user is a secret: hosted git services take an access token as https://<token>@host/.
SECRET_USER_SCHEMES = ("http", "https")
# Variables git and its hooks never see: the encryption keys, the database URL (with its password).
HIDDEN_ENV_PREFIX = "NETRAVEN_"


class GitProblem(Exception):
    """One line saying why the export stopped; reported, never fatal to the backup."""


def git_environment(**extra: str) -> Dict[str, str]:
    """The caller's environment without any NETRAVEN_* variable, plus extra: what git and its hooks run with."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(HIDDEN_ENV_PREFIX)}
    env.update(extra)
    return env


def _git(git_dir: str, *args: str, env: Optional[Dict[str, str]] = None) -> str:
    try:
        # The core holds no AnsibleModule (docs/architecture.md), so it cannot use run_command;
        # git runs with an argument list, never a shell.
        proc = subprocess.run(["git", "-C", git_dir, *args], capture_output=True, text=True,  # pylint: disable=ansible-bad-function
                              env=env if env is not None else git_environment(), check=False)
    except OSError as error:
        raise GitProblem("cannot run git: %s" % error) from None
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise GitProblem("git %s failed: %s" % (args[0], detail[-1] if detail else "exit %d" % proc.returncode))
    return proc.stdout


def prepare_repository(git_dir: str) -> bool:
    """Create and init a missing directory; refuse a non-repository or a dirty tree. True when created."""
    created = False
    if not os.path.exists(git_dir):
        os.makedirs(git_dir)
        _git(git_dir, "init", "-q")
        created = True
    elif not os.path.isdir(git_dir):
        raise GitProblem("%s is not a directory" % git_dir)
    else:
        try:
            top = _git(git_dir, "rev-parse", "--show-toplevel").strip()
        except GitProblem:
            top = ""
        if not top or os.path.realpath(top) != os.path.realpath(git_dir):
            raise GitProblem("%s exists but is not a git repository (nothing exported)" % git_dir)
        if _git(git_dir, "status", "--porcelain").strip():
            raise GitProblem("%s has uncommitted changes (nothing exported; commit or clean them first)" % git_dir)
    return created


def _existing_files(git_dir: str) -> Dict[str, str]:
    """hostname -> path relative to the tree, for every tracked .cfg file."""
    files = {}
    for rel in _git(git_dir, "ls-files", "-z").split("\0"):
        if rel.endswith(SUFFIX):
            files[os.path.basename(rel)[:-len(SUFFIX)]] = rel
    return files


def _folder(tag_names: List[str]) -> str:
    return tag_names[0] if tag_names else UNTAGGED


def _unsafe_warning(hostname: str, what: str, name: str, reason: str) -> str:
    return ("device %r skipped: its %s %r cannot be a file name in the git tree (%s); rename it with "
            "netraven.netraven.%s" % (hostname, what, name, reason, "device" if what == "hostname" else "tag"))


def _snapshot(session: Session, job: Job, layout: str, tag_type: Optional[str]) -> Tuple[Snapshot, List[str]]:
    """hostname -> (relative path, text, config id) for the job's targeted devices, as of its completion.

    A device whose hostname (or, in the tag layout, folder) is not a safe path component is
    left out, with a warning naming it (second value).
    """
    latest = sa.select(DeviceConfiguration.device_id, sa.func.max(DeviceConfiguration.id).label("config_id"))
    if job.completed_at is not None:
        latest = latest.where(DeviceConfiguration.retrieved_at <= job.completed_at)
    latest_ids = latest.group_by(DeviceConfiguration.device_id).subquery()
    rows = session.execute(
        sa.select(Device.id, Device.hostname, DeviceConfiguration.id, DeviceConfiguration.config_data)
        .join(JobResult, JobResult.device_id == Device.id)
        .join(latest_ids, latest_ids.c.device_id == Device.id)
        .join(DeviceConfiguration, DeviceConfiguration.id == latest_ids.c.config_id)
        .where(JobResult.job_id == job.id)).all()
    folders: Dict[int, List[str]] = {}
    if layout == "tag" and rows:
        tag_rows = session.execute(
            sa.select(device_tag_association.c.device_id, Tag.name)
            .join(Tag, Tag.id == device_tag_association.c.tag_id)
            .where(Tag.type == tag_type, device_tag_association.c.device_id.in_([row[0] for row in rows]))
            .order_by(Tag.name)).all()
        for device_id, name in tag_rows:
            folders.setdefault(device_id, []).append(name)
    snapshot: Snapshot = {}
    warnings: List[str] = []
    for device_id, hostname, config_id, text in rows:
        reason = unsafe_path_reason(hostname)
        if reason:
            warnings.append(_unsafe_warning(hostname, "hostname", hostname, reason))
            continue
        name = hostname + SUFFIX
        if layout == "tag":
            folder = _folder(folders.get(device_id, []))
            reason = unsafe_path_reason(folder)
            if reason:
                warnings.append(_unsafe_warning(hostname, "%s tag" % tag_type, folder, reason))
                continue
            name = folder + "/" + name
        snapshot[hostname] = (name, text, config_id)
    return snapshot, warnings


def _write_tree(git_dir: str, snapshot: Snapshot, known_hosts: Set[str]) -> Tuple[List[Dict[str, Any]], List[str], List[str]]:
    """Apply the snapshot and the deletions to the working tree; returns (changed lines, removed hosts, warnings)."""
    existing = _existing_files(git_dir)
    changed: List[Dict[str, Any]] = []
    warnings: List[str] = []
    for hostname in sorted(snapshot):
        rel, text, config_id = snapshot[hostname]
        old_rel = existing.get(hostname)
        before = read_in_tree(git_dir, old_rel) if old_rel else None
        if before == text and old_rel == rel:
            continue
        try:
            write_in_tree(git_dir, rel, text)
        except UnsafePath as problem:
            warnings.append("device %r skipped: %s" % (hostname, problem))
            continue
        except OSError as error:
            raise GitProblem("cannot write %s: %s" % (rel, error.strerror or error)) from None
        if old_rel and old_rel != rel:
            _git(git_dir, "rm", "-q", "--", old_rel)
        if before != text:
            diff = diff_configs(before, text)
            changed.append({"hostname": hostname, "path": rel, "config_id": config_id,
                            "added": diff.added, "removed": diff.removed})
    removed = sorted(host for host in existing if host not in known_hosts)
    for hostname in removed:
        _git(git_dir, "rm", "-q", "--", existing[hostname])
    return changed, removed, warnings


def _message(job: Job, counts: Dict[str, int], changed: List[Dict[str, Any]], removed: List[str]) -> str:
    count_text = ", ".join("%d %s" % (counts[status], status) for status in sorted(counts)) or "no devices"
    lines = ["NetRaven job %d '%s': %s (%s)" % (job.id, job.name, job.status, count_text), ""]
    lines += ["changed %s: config %d, +%d -%d" % (entry["hostname"], entry["config_id"], entry["added"],
                                                  entry["removed"]) for entry in changed]
    lines += ["removed %s: deleted from NetRaven" % hostname for hostname in removed]
    return "\n".join(lines) + "\n"


def _commit_env(job: Job, author: Author) -> Dict[str, str]:
    when = job.completed_at or job.started_at or job.created_at
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return git_environment(GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1],
                           GIT_COMMITTER_NAME=author[0], GIT_COMMITTER_EMAIL=author[1],
                           GIT_AUTHOR_DATE=when.isoformat(), GIT_COMMITTER_DATE=when.isoformat())


def _export_one(session: Session, git_dir: str, job: Job, layout: str, tag_type: Optional[str], author: Author) -> Dict[str, Any]:
    snapshot, warnings = _snapshot(session, job, layout, tag_type)
    known_hosts = set(session.execute(sa.select(Device.hostname)).scalars())
    changed, removed, write_warnings = _write_tree(git_dir, snapshot, known_hosts)
    warnings += write_warnings
    _git(git_dir, "add", "-A")
    if not _git(git_dir, "status", "--porcelain").strip():
        return {"job_id": job.id, "commit": None, "changed_devices": [], "removed_devices": [], "warnings": warnings}
    counts: Dict[str, int] = dict(session.execute(sa.select(JobResult.status, sa.func.count())
                                  .where(JobResult.job_id == job.id).group_by(JobResult.status)).all())
    _git(git_dir, "commit", "-q", "--no-verify", "-m", _message(job, counts, changed, removed),
         env=_commit_env(job, author))
    return {"job_id": job.id, "commit": _git(git_dir, "rev-parse", "HEAD").strip(),
            "changed_devices": changed, "removed_devices": removed, "warnings": warnings}


def remote_secrets(remote: Optional[str]) -> List[str]:
    """The secret parts of a remote URL, longest first (_db._url_masking.url_secrets).

    Its password, an http(s) lone user (https://<token>@host/ is how hosted git services take
    an access token; an ssh:// user, git@, is a name), every query value whose key holds pass,
    token, secret or key; each as written and URL-decoded, also where the URL does not parse.
    The module adds these to its no_log values, so Ansible masks them in the invocation it
    returns as well.
    """
    return url_secrets(remote, SECRET_USER_SCHEMES)


def masked_remote(text: str, remote: Optional[str]) -> str:
    """text (git's own, or a message) with every secret part of the remote URL replaced by ***."""
    return mask_text(text, remote, SECRET_USER_SCHEMES)


def shown_remote(remote: str) -> str:
    """The remote as a message names it: its secrets masked."""
    return masked_remote(mask_url(remote, SECRET_USER_SCHEMES), remote)


def _has_commits(git_dir: str) -> bool:
    try:
        _git(git_dir, "rev-parse", "-q", "--verify", "HEAD")
    except GitProblem:
        return False
    return True


def _jobs(session: Session, job_id: Optional[int], replay: bool) -> List[Job]:
    if replay:
        return list(session.execute(sa.select(Job).where(Job.status.not_in(JobStatus.ACTIVE))
                                    .order_by(Job.completed_at, Job.id)).scalars())
    job = session.get(Job, job_id)
    if job is None:
        raise ValidationError("No job with id %s" % job_id)
    return [job]


def export(engine: Engine, git_dir: str, job_id: Optional[int] = None, replay: bool = False, layout: str = "flat",
           tag_type: Optional[str] = None, author: Optional[Author] = None, remote: Optional[str] = None,
           check_mode: bool = False) -> Dict[str, Any]:
    """Export one job (or every finished job with replay); returns the module's result fields."""
    if layout == "tag" and not tag_type:
        raise ValidationError("layout 'tag' needs tag_type (the tag type whose names become folders, e.g. site)")
    if not replay and job_id is None:
        raise ValidationError("Give job_id (the job to export) or replay: true")
    git_dir = os.path.abspath(os.path.expanduser(git_dir))
    author = author or DEFAULT_AUTHOR
    result: Dict[str, Any] = {"changed": False, "exported": "failed", "commits": [], "pushed": False, "git_dir": git_dir}
    warnings: List[str] = []
    with session_scope(engine) as session:
        jobs = _jobs(session, job_id, replay)
        if check_mode:
            result.update(exported="skipped", msg="check mode: nothing exported to %s" % git_dir)
            return result
        try:
            result["created"] = prepare_repository(git_dir)
            for job in jobs:
                outcome = _export_one(session, git_dir, job, layout, tag_type, author)
                warnings += [warning for warning in outcome.pop("warnings") if warning not in warnings]
                if outcome["commit"]:
                    result["commits"].append(outcome)
        except GitProblem as problem:
            result["changed"] = bool(result["commits"])
            result["msg"] = "git export to %s: %s" % (git_dir, problem)
            return dict(result, warnings=warnings)
    result["changed"] = bool(result["commits"]) or result["created"]
    result["exported"] = "committed" if result["commits"] else "unchanged"
    result["msg"] = "git export to %s: %d commit(s)" % (git_dir, len(result["commits"]))
    if warnings:
        result["msg"] += ", %d device(s) skipped (unsafe names, see the warnings)" % len(warnings)
    if remote and _has_commits(git_dir):
        try:
            _git(git_dir, "push", "-q", remote, "HEAD", env=git_environment(GIT_TERMINAL_PROMPT="0"))
            result["pushed"] = True
            result["msg"] += ", pushed to %s" % shown_remote(remote)
        except GitProblem as problem:
            result["exported"] = "push_failed"
            result["msg"] += "; push to %s: %s" % (shown_remote(remote), masked_remote(str(problem), remote))
    return dict(result, warnings=warnings)
