# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the latest masked configurations into a git working tree (the git_export module's core).

See docs/history.md, "Configurations in git". The ``git`` executable does the work, run
with the caller's environment, so git's own configuration, credential helpers and SSH
agent decide how a push authenticates: no credential passes through NetRaven.

An export problem (not a repository, a dirty tree, a failed push) is reported as one
line beside the job's status. It never raises into the backup: the configurations are
already safe in the database and the next export catches up.

A remote URL may still carry a password (https://user:pass@host/repo.git) or a token. It is
never shown: every message names the remote with it masked and scrubs it from git's own
text, and the module hides it in the invocation Ansible returns. The push never prompts (a
missing credential is a failed push, not a hung playbook).
"""

from __future__ import annotations

import datetime
import os
import subprocess
import urllib.parse
from typing import Dict, List, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._history._diff import diff_configs
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
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

SUFFIX = ".cfg"
UNTAGGED = "_untagged"
DEFAULT_AUTHOR = ("NetRaven", "netraven@localhost")


class GitProblem(Exception):
    """One line saying why the export stopped; reported, never fatal to the backup."""


def _git(git_dir: str, *args: str, env: Optional[Dict[str, str]] = None) -> str:
    try:
        # The core holds no AnsibleModule (docs/architecture.md), so it cannot use run_command;
        # git runs with an argument list, never a shell.
        proc = subprocess.run(["git", "-C", git_dir, *args], capture_output=True, text=True,  # pylint: disable=ansible-bad-function
                              env=env, check=False)
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


def _snapshot(session, job: "Job", layout: str, tag_type: Optional[str]) -> Dict[str, tuple]:
    """hostname -> (relative path, text, config id) for the job's targeted devices, as of its completion."""
    latest = sa.select(DeviceConfiguration.device_id, sa.func.max(DeviceConfiguration.id).label("config_id"))
    if job.completed_at is not None:
        latest = latest.where(DeviceConfiguration.retrieved_at <= job.completed_at)
    latest = latest.group_by(DeviceConfiguration.device_id).subquery()
    rows = session.execute(
        sa.select(Device.id, Device.hostname, DeviceConfiguration.id, DeviceConfiguration.config_data)
        .join(JobResult, JobResult.device_id == Device.id)
        .join(latest, latest.c.device_id == Device.id)
        .join(DeviceConfiguration, DeviceConfiguration.id == latest.c.config_id)
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
    snapshot = {}
    for device_id, hostname, config_id, text in rows:
        name = hostname + SUFFIX
        rel = os.path.join(_folder(folders.get(device_id, [])), name) if layout == "tag" else name
        snapshot[hostname] = (rel, text, config_id)
    return snapshot


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except OSError:
        return None


def _write_tree(git_dir: str, snapshot: Dict[str, tuple], known_hosts: set) -> tuple:
    """Apply the snapshot and the deletions to the working tree; returns (changed lines, removed hosts)."""
    existing = _existing_files(git_dir)
    changed = []
    for hostname in sorted(snapshot):
        rel, text, config_id = snapshot[hostname]
        old_rel = existing.get(hostname)
        before = _read(os.path.join(git_dir, old_rel)) if old_rel else None
        if old_rel and old_rel != rel:
            _git(git_dir, "rm", "-q", "--", old_rel)
        if before == text and old_rel == rel:
            continue
        path = os.path.join(git_dir, rel)
        os.makedirs(os.path.dirname(path) or git_dir, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if before != text:
            diff = diff_configs(before, text)
            changed.append({"hostname": hostname, "path": rel, "config_id": config_id,
                            "added": diff.added, "removed": diff.removed})
    removed = sorted(host for host in existing if host not in known_hosts)
    for hostname in removed:
        _git(git_dir, "rm", "-q", "--", existing[hostname])
    return changed, removed


def _message(job: "Job", counts: Dict[str, int], changed: List[dict], removed: List[str]) -> str:
    count_text = ", ".join("%d %s" % (counts[status], status) for status in sorted(counts)) or "no devices"
    lines = ["NetRaven job %d '%s': %s (%s)" % (job.id, job.name, job.status, count_text), ""]
    lines += ["changed %s: config %d, +%d -%d" % (entry["hostname"], entry["config_id"], entry["added"],
                                                  entry["removed"]) for entry in changed]
    lines += ["removed %s: deleted from NetRaven" % hostname for hostname in removed]
    return "\n".join(lines) + "\n"


def _commit_env(job: "Job", author: tuple) -> Dict[str, str]:
    when = job.completed_at or job.started_at or job.created_at
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    env = dict(os.environ)
    env.update({"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
                "GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1],
                "GIT_AUTHOR_DATE": when.isoformat(), "GIT_COMMITTER_DATE": when.isoformat()})
    return env


def _export_one(session, git_dir: str, job: "Job", layout: str, tag_type: Optional[str], author: tuple) -> dict:
    snapshot = _snapshot(session, job, layout, tag_type)
    known_hosts = set(session.execute(sa.select(Device.hostname)).scalars())
    changed, removed = _write_tree(git_dir, snapshot, known_hosts)
    _git(git_dir, "add", "-A")
    if not _git(git_dir, "status", "--porcelain").strip():
        return {"job_id": job.id, "commit": None, "changed_devices": [], "removed_devices": []}
    counts = dict(session.execute(sa.select(JobResult.status, sa.func.count())
                                  .where(JobResult.job_id == job.id).group_by(JobResult.status)).all())
    _git(git_dir, "commit", "-q", "--no-verify", "-m", _message(job, counts, changed, removed),
         env=_commit_env(job, author))
    return {"job_id": job.id, "commit": _git(git_dir, "rev-parse", "HEAD").strip(),
            "changed_devices": changed, "removed_devices": removed}


def remote_secrets(remote: Optional[str]) -> List[str]:
    """The secret parts of a remote URL, longest first: its password, or an http(s) lone user.

    Each as written and URL-decoded. https://<token>@host/ is how hosted git services take
    an access token; an ssh:// user (git@) is a name, not a secret. The module adds these to
    its no_log values, so Ansible masks them in the invocation it returns as well.
    """
    try:
        parts = urllib.parse.urlsplit((remote or "").strip())
    except ValueError:
        return []
    if "@" not in parts.netloc:
        return []
    userinfo = parts.netloc.rsplit("@", 1)[0]
    if ":" in userinfo:
        secret = userinfo.split(":", 1)[1]
    elif parts.scheme.lower() in ("http", "https"):
        secret = userinfo
    else:
        return []
    return sorted({value for value in (secret, urllib.parse.unquote(secret)) if value}, key=len, reverse=True)


def masked_remote(text: str, remote: Optional[str]) -> str:
    """text with every secret part of the remote URL replaced by ***."""
    for secret in remote_secrets(remote):
        text = text.replace(secret, "***")
    return text


def _has_commits(git_dir: str) -> bool:
    try:
        _git(git_dir, "rev-parse", "-q", "--verify", "HEAD")
    except GitProblem:
        return False
    return True


def _jobs(session, job_id: Optional[int], replay: bool) -> List["Job"]:
    if replay:
        return list(session.execute(sa.select(Job).where(Job.status.not_in(JobStatus.ACTIVE))
                                    .order_by(Job.completed_at, Job.id)).scalars())
    job = session.get(Job, job_id)
    if job is None:
        raise ValidationError("No job with id %d" % job_id)
    return [job]


def export(engine, git_dir: str, job_id: Optional[int] = None, replay: bool = False, layout: str = "flat",
           tag_type: Optional[str] = None, author: Optional[tuple] = None, remote: Optional[str] = None,
           check_mode: bool = False) -> dict:
    """Export one job (or every finished job with replay); returns the module's result fields."""
    if layout == "tag" and not tag_type:
        raise ValidationError("layout 'tag' needs tag_type (the tag type whose names become folders, e.g. site)")
    if not replay and job_id is None:
        raise ValidationError("Give job_id (the job to export) or replay: true")
    git_dir = os.path.abspath(os.path.expanduser(git_dir))
    author = author or DEFAULT_AUTHOR
    result = {"changed": False, "exported": "failed", "commits": [], "pushed": False, "git_dir": git_dir}
    with session_scope(engine) as session:
        jobs = _jobs(session, job_id, replay)
        if check_mode:
            result.update(exported="skipped", msg="check mode: nothing exported to %s" % git_dir)
            return result
        try:
            result["created"] = prepare_repository(git_dir)
            for job in jobs:
                outcome = _export_one(session, git_dir, job, layout, tag_type, author)
                if outcome["commit"]:
                    result["commits"].append(outcome)
        except GitProblem as problem:
            result["changed"] = bool(result["commits"])
            result["msg"] = "git export to %s: %s" % (git_dir, problem)
            return result
    result["changed"] = bool(result["commits"]) or result["created"]
    result["exported"] = "committed" if result["commits"] else "unchanged"
    result["msg"] = "git export to %s: %d commit(s)" % (git_dir, len(result["commits"]))
    if remote and _has_commits(git_dir):
        try:
            _git(git_dir, "push", "-q", remote, "HEAD", env=dict(os.environ, GIT_TERMINAL_PROMPT="0"))
            result["pushed"] = True
            result["msg"] += ", pushed to %s" % masked_remote(remote, remote)
        except GitProblem as problem:
            result["exported"] = "push_failed"
            result["msg"] += "; push to %s: %s" % (masked_remote(remote, remote), masked_remote(str(problem), remote))
    return result
