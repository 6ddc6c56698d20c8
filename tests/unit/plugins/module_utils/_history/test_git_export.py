# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The git export core on a real SQLite database and the real git CLI (docs/history.md, "Configurations in git").

Jobs, results and configurations are written straight into the database, so each rule
is checked on its own: what a job's tree holds (its targets, as of its completion), the
tag layout, deletions, replay, the refusals, the push and the masking of a remote's secret.
The end-to-end runs through backup.yml are in tests/integration/test_git_export.py.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess

import pytest

sa = pytest.importorskip("sqlalchemy")
if shutil.which("git") is None:  # pragma: no cover - bindep.txt installs it
    pytest.skip("the git executable is needed", allow_module_level=True)

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._history._git_export import (  # noqa: E402
    GitProblem,
    export,
    masked_remote,
    prepare_repository,
    remote_secrets,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, DeviceConfiguration, Job, JobResult, Tag  # noqa: E402

T0 = datetime.datetime(2026, 11, 30, 22, 0, 0)
SECRET = "S3cret-push-pw"
TOKEN = "ghp_T0kenNeverShown"


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def commits(repo):
    return git(repo, "log", "--reverse", "--format=%s").splitlines()


@pytest.fixture
def db(sqlite_engine):
    """r1 (site par), r2 (site lyo, also role core), r3 (no site tag), off (not targeted by any job)."""
    with session_scope(sqlite_engine) as session:
        par, lyo, core = Tag(name="par", type="site"), Tag(name="lyo", type="site"), Tag(name="core", type="role")
        session.add_all([
            Device(hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=[par]),
            Device(hostname="r2", ip_address="192.0.2.2", device_type="cisco_ios", tags=[lyo, core]),
            Device(hostname="r3", ip_address="192.0.2.3", device_type="cisco_ios"),
            Device(hostname="off", ip_address="192.0.2.4", device_type="cisco_ios"),
        ])
    return sqlite_engine


def ids(engine):
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(Device.hostname, Device.id)).all())


def add_job(engine, hour, configs, targets=("r1", "r2", "r3"), status="COMPLETED_SUCCESS"):
    """A finished job at T0 + hour over targets; configs maps hostname -> new text (stored at that hour)."""
    device_ids = ids(engine)
    when = T0 + datetime.timedelta(hours=hour)
    with session_scope(engine) as session:
        job = Job(name="nightly", status=status, started_at=when, completed_at=None if status == "RUNNING" else when)
        session.add(job)
        session.flush()
        for hostname in targets:
            session.add(JobResult(job_id=job.id, device_id=device_ids[hostname], status="SUCCESS", result_time=when))
        for hostname, text in configs.items():
            session.add(DeviceConfiguration(device_id=device_ids[hostname], job_id=job.id, config_data=text,
                                            data_hash=str(hash(text)), retrieved_at=when))
        return job.id


def first_configs(engine):
    return add_job(engine, 0, {"r1": "hostname r1\n", "r2": "hostname r2\n", "r3": "hostname r3\n", "off": "hostname off\n"})


def test_a_job_commits_its_targets_latest_configurations(db, tmp_path):
    job = first_configs(db)
    repo = tmp_path / "configs"
    result = export(db, str(repo), job_id=job, author=("Bot", "bot@example.net"))
    assert result["created"] is True and result["changed"] is True and result["exported"] == "committed"
    assert sorted(git(repo, "ls-files").split()) == ["r1.cfg", "r2.cfg", "r3.cfg"]  # off: not a target
    assert git(repo, "show", "HEAD:r2.cfg") == "hostname r2\n"
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip() == "Bot <bot@example.net>|Bot <bot@example.net>"
    assert git(repo, "log", "-1", "--format=%cI").strip().startswith("2026-11-30T22:00:00")
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("NetRaven job %d 'nightly': COMPLETED_SUCCESS (3 SUCCESS)\n" % job)
    assert "changed r1: config" in message and "+1 -0" in message
    assert [entry["hostname"] for entry in result["commits"][0]["changed_devices"]] == ["r1", "r2", "r3"]

    again = export(db, str(repo), job_id=job)
    assert again["changed"] is False and again["exported"] == "unchanged" and again["commits"] == []
    assert len(commits(repo)) == 1


def test_a_job_sees_the_configurations_as_of_its_completion(db, tmp_path):
    first = first_configs(db)
    add_job(db, 2, {"r1": "hostname r1\nntp server 192.0.2.9\n"})
    repo = tmp_path / "configs"
    export(db, str(repo), job_id=first)
    assert git(repo, "show", "HEAD:r1.cfg") == "hostname r1\n"


def test_tag_layout_puts_files_in_folders_and_moves_them(db, tmp_path):
    job = first_configs(db)
    repo = tmp_path / "bysite"
    export(db, str(repo), job_id=job, layout="tag", tag_type="site")
    assert sorted(git(repo, "ls-files").split()) == ["_untagged/r3.cfg", "lyo/r2.cfg", "par/r1.cfg"]

    with session_scope(db) as session:  # r1 moves from par to lyo
        r1 = session.execute(sa.select(Device).where(Device.hostname == "r1")).scalar_one()
        r1.tags = [session.execute(sa.select(Tag).where(Tag.name == "lyo")).scalar_one()]
    second = add_job(db, 1, {})
    result = export(db, str(repo), job_id=second, layout="tag", tag_type="site")
    assert sorted(git(repo, "ls-files").split()) == ["_untagged/r3.cfg", "lyo/r1.cfg", "lyo/r2.cfg"]
    assert result["commits"][0]["changed_devices"] == []  # moved, not changed
    assert git(repo, "show", "HEAD:lyo/r1.cfg") == "hostname r1\n"


def test_a_device_deleted_from_netraven_leaves_the_tree(db, tmp_path):
    job = first_configs(db)
    repo = tmp_path / "configs"
    export(db, str(repo), job_id=job)
    with db.begin() as conn:
        conn.execute(sa.delete(Device).where(Device.hostname == "r3"))
    result = export(db, str(repo), job_id=add_job(db, 1, {}, targets=("r1", "r2")))
    assert result["commits"][0]["removed_devices"] == ["r3"]
    assert sorted(git(repo, "ls-files").split()) == ["r1.cfg", "r2.cfg"]
    assert "removed r3: deleted from NetRaven" in git(repo, "log", "-1", "--format=%B")


def test_replay_is_one_commit_per_finished_job_that_changed_something(db, tmp_path):
    first = first_configs(db)
    add_job(db, 1, {})  # nothing changed: no commit
    third = add_job(db, 2, {"r2": "hostname r2\ninterface Gi1\n"})
    add_job(db, 3, {"r1": "hostname r1\nrunning\n"}, status="RUNNING")  # not finished: not replayed
    live = tmp_path / "live"
    for job in (first, third):
        export(db, str(live), job_id=job)
    replayed = export(db, str(tmp_path / "replayed"), replay=True)
    assert [entry["job_id"] for entry in replayed["commits"]] == [first, third]
    assert git(tmp_path / "replayed", "log", "--format=%T") == git(live, "log", "--format=%T")
    assert git(tmp_path / "replayed", "show", "HEAD:r1.cfg") == "hostname r1\n"


def test_check_mode_writes_nothing(db, tmp_path):
    job = first_configs(db)
    result = export(db, str(tmp_path / "configs"), job_id=job, check_mode=True)
    assert result["exported"] == "skipped" and result["changed"] is False
    assert not os.path.exists(str(tmp_path / "configs"))


@pytest.mark.parametrize("kwargs, message", [
    ({"job_id": 1, "layout": "tag"}, "layout 'tag' needs tag_type"),
    ({}, "Give job_id"),
    ({"job_id": 999}, "No job with id 999"),
])
def test_bad_options_are_one_line(db, tmp_path, kwargs, message):
    first_configs(db)
    with pytest.raises(ValidationError, match=message):
        export(db, str(tmp_path / "configs"), **kwargs)


def test_refusals_are_reported_not_raised(db, tmp_path):
    job = first_configs(db)
    plain = tmp_path / "plain"
    plain.mkdir()
    refused = export(db, str(plain), job_id=job)
    assert refused["exported"] == "failed" and refused["changed"] is False
    assert refused["msg"] == "git export to %s: %s exists but is not a git repository (nothing exported)" % (plain, plain)

    repo = tmp_path / "configs"
    export(db, str(repo), job_id=job)
    (repo / "r1.cfg").write_text("edited by hand\n", encoding="utf-8")
    dirty = export(db, str(repo), job_id=job)
    assert dirty["exported"] == "failed" and "has uncommitted changes" in dirty["msg"]
    assert len(commits(repo)) == 1

    (repo / "sub").mkdir()
    with pytest.raises(GitProblem, match="is not a git repository"):
        prepare_repository(str(repo / "sub"))  # inside a repository, but not its top
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(GitProblem, match="is not a directory"):
        prepare_repository(str(tmp_path / "file"))


def test_git_missing_is_one_line(db, tmp_path, monkeypatch):
    job = first_configs(db)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = export(db, str(tmp_path / "configs"), job_id=job)
    assert result["exported"] == "failed" and "cannot run git" in result["msg"] and "\n" not in result["msg"]


def test_push_to_a_bare_repository_and_to_a_missing_one(db, tmp_path):
    job = first_configs(db)
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    repo = tmp_path / "configs"
    pushed = export(db, str(repo), job_id=job, remote=str(bare))
    assert pushed["pushed"] is True and pushed["exported"] == "committed"
    assert git(bare, "rev-parse", "HEAD") == git(repo, "rev-parse", "HEAD")

    second = add_job(db, 1, {"r1": "hostname r1\nchanged\n"})
    failed = export(db, str(repo), job_id=second, remote=str(tmp_path / "missing.git"))
    assert failed["exported"] == "push_failed" and failed["pushed"] is False and failed["changed"] is True
    assert "push to %s: git push failed:" % (tmp_path / "missing.git") in failed["msg"] and "\n" not in failed["msg"]
    assert len(commits(repo)) == 2  # the commit stays; the next push catches up


@pytest.mark.parametrize("remote, shown", [
    ("https://netops:%s@127.0.0.1:9/configs.git" % SECRET, "https://netops:***@127.0.0.1:9/configs.git"),
    ("https://%s@127.0.0.1:9/configs.git" % TOKEN, "https://***@127.0.0.1:9/configs.git"),
    # A token in the query (GitLab's private_token), and a URL urlsplit refuses (an unbalanced '[').
    ("https://127.0.0.1:9/configs.git?private_token=%s" % TOKEN, "https://127.0.0.1:9/configs.git?private_token=***"),
    ("https://netops:%s@[fe80::1/o/r.git" % SECRET, "https://netops:***@[fe80::1/o/r.git"),
])
def test_a_secret_in_the_remote_url_is_never_shown(db, tmp_path, remote, shown):
    job = first_configs(db)
    result = export(db, str(tmp_path / "configs"), job_id=job, remote=remote)
    assert result["exported"] == "push_failed" and result["commits"]  # nothing listens on port 9
    assert "push to %s: git push failed" % shown in result["msg"]
    assert SECRET not in repr(result) and TOKEN not in repr(result)
    assert SECRET not in git(tmp_path / "configs", "config", "--list")


def test_masked_remote_keeps_names_and_ssh_users():
    assert masked_remote("push to origin", "origin") == "push to origin"
    assert masked_remote("git@host:r.git", "git@host:r.git") == "git@host:r.git"
    assert masked_remote("ssh://git@host/r.git", "ssh://git@host/r.git") == "ssh://git@host/r.git"
    text = "fatal: unable to access 'https://u:%s@h/r.git/': %s" % (SECRET, SECRET)
    assert masked_remote(text, "https://u:%s@h/r.git" % SECRET) == "fatal: unable to access 'https://u:***@h/r.git/': ***"
    # Written URL-encoded, shown decoded by git: both forms go.
    assert masked_remote("p@ss:word and p%40ss%3Aword", "https://u:p%40ss%3Aword@h/r.git") == "*** and ***"
    assert masked_remote("ssh://u:%s@h/r.git" % SECRET, "ssh://u:%s@h/r.git" % SECRET) == "ssh://u:***@h/r.git"
    # The module's no_log values (the invocation Ansible returns) cover the query token and the unparsable URL too.
    assert TOKEN in remote_secrets("https://h/r.git?private_token=%s&ref=main" % TOKEN)
    assert SECRET in remote_secrets("https://user:%s@[fe80::1/o/r.git" % SECRET)
    assert TOKEN in remote_secrets("https://%s@[fe80::1/o/r.git" % TOKEN)
    assert remote_secrets("https://host/o/r@v2.git") == [] and remote_secrets("ssh://git@host/r.git") == []


# Names other tools may write into the database: a path out of the tree, an absolute path, a hidden
# file, an option-like name. The test's own absolute path stays under tmp_path.
def _unsafe_names(tmp_path):
    return ["../../x", str(tmp_path / "abs" / "x"), ".hidden", "-x"]


def _files_outside(tmp_path, repo):
    found = set()
    for top, dirs, files in os.walk(str(tmp_path)):
        dirs[:] = [d for d in dirs if os.path.join(top, d) != str(repo)]
        found.update(os.path.join(top, name) for name in files + [d for d in dirs if os.path.islink(os.path.join(top, d))])
    return found


@pytest.mark.parametrize("layout", ["flat", "tag"])
def test_unsafe_names_and_planted_links_never_write_outside_the_tree(db, tmp_path, layout):
    job = first_configs(db)
    repo = tmp_path / "a" / "b" / "configs"  # ../../x.cfg from the tree would be tmp_path/a/x.cfg
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "r1.cfg").write_text("the controller's own file\n", encoding="utf-8")
    export(db, str(repo), job_id=job, layout=layout, tag_type="site")
    # Links planted and committed in the tree: r2's file and the folder 'par' (r1's, tag layout)
    # or r1's file (flat) point outside; r3's file is a hard link to a file outside.
    if layout == "tag":
        os.unlink(str(repo / "lyo" / "r2.cfg"))
        os.symlink(str(outside / "r2.cfg"), str(repo / "lyo" / "r2.cfg"))
        shutil.rmtree(str(repo / "par"))
        os.symlink(str(outside), str(repo / "par"))
        os.unlink(str(repo / "_untagged" / "r3.cfg"))
        os.link(str(outside / "r1.cfg"), str(repo / "_untagged" / "r3.cfg"))
    else:
        os.unlink(str(repo / "r1.cfg"))
        os.symlink(str(outside / "r1.cfg"), str(repo / "r1.cfg"))
        os.unlink(str(repo / "r3.cfg"))
        os.link(str(outside / "r1.cfg"), str(repo / "r3.cfg"))
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "planted")

    names = _unsafe_names(tmp_path)
    with session_scope(db) as session:
        site = session.execute(sa.select(Tag).where(Tag.name == "par")).scalar_one()
        session.add_all([Device(hostname=name, ip_address="192.0.2.%d" % (10 + index), device_type="cisco_ios",
                                tags=[site]) for index, name in enumerate(names)])
        for index, name in enumerate(names):  # devices with a safe hostname in a folder of that name
            session.add(Device(hostname="t%d" % index, ip_address="192.0.2.%d" % (20 + index), device_type="cisco_ios",
                               tags=[Tag(name=name, type="site")]))
    targets = ("r1", "r2", "r3") + tuple(names) + tuple("t%d" % index for index in range(len(names)))
    before = _files_outside(tmp_path, repo)
    second = add_job(db, 1, {name: "hostname x\nsnmp-server community escaped\n" for name in targets}, targets=targets)
    result = export(db, str(repo), job_id=second, layout=layout, tag_type="site")

    assert _files_outside(tmp_path, repo) == before
    assert (outside / "r1.cfg").read_text(encoding="utf-8") == "the controller's own file\n"
    assert not os.path.exists(str(outside / "r2.cfg"))
    for name in names:
        assert any(repr(name) in warning and "skipped" in warning for warning in result["warnings"]), (name, result)
    for top, _dirs, files in os.walk(str(repo)):
        for name in files:
            path = os.path.join(top, name)
            assert os.path.realpath(path).startswith(str(repo) + os.sep) or os.path.islink(path), path
    tracked = git(repo, "ls-files").split()
    if layout == "tag":
        assert "par/r1.cfg" not in tracked and "par" in tracked  # the planted link stays, r1 was skipped
        assert any("'par' in the git tree is a symbolic link" in warning for warning in result["warnings"])
        assert sorted(name for name in tracked if name.endswith(".cfg")) == ["_untagged/r3.cfg", "lyo/r2.cfg"]
        assert not os.path.islink(str(repo / "lyo" / "r2.cfg"))
    else:
        assert sorted(tracked) == ["r1.cfg", "r2.cfg", "r3.cfg"] + ["t%d.cfg" % index for index in range(len(names))]
        assert not os.path.islink(str(repo / "r1.cfg"))
    assert git(repo, "status", "--porcelain") == ""
    assert result["exported"] == "committed" and "skipped" in result["msg"]


def test_git_and_its_hooks_never_see_netraven_variables(db, tmp_path, monkeypatch):
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_KEY", "hook-must-not-see-this-key")
    monkeypatch.setenv("NETRAVEN_ENCRYPTION_OLD_KEYS", "hook-must-not-see-old-keys")
    monkeypatch.setenv("NETRAVEN_DB_URL", "postgresql://nr:HookDbPw@db/netraven")
    monkeypatch.setenv("SOME_OTHER_VARIABLE", "kept")
    job = first_configs(db)
    repo = tmp_path / "configs"
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    seen = tmp_path / "hook-env"
    for hook in ("post-commit", "pre-push"):
        path = repo / ".git" / "hooks" / hook
        path.write_text("#!/bin/sh\nenv >> '%s'\n" % seen, encoding="utf-8")
        path.chmod(0o755)
    result = export(db, str(repo), job_id=job, remote=str(bare))
    assert result["pushed"] is True
    hook_env = seen.read_text(encoding="utf-8")
    assert hook_env.count("SOME_OTHER_VARIABLE=kept") == 2  # both hooks ran, with the caller's environment
    assert "NETRAVEN_" not in hook_env


def test_the_push_never_prompts(db, tmp_path, monkeypatch):
    job = first_configs(db)
    calls = []
    real_run = subprocess.run

    def recording_run(command, **kwargs):
        calls.append((command, kwargs.get("env")))
        return real_run(command, check=kwargs.pop("check", False), **kwargs)

    monkeypatch.setattr(subprocess, "run", recording_run)
    export(db, str(tmp_path / "configs"), job_id=job, remote=str(tmp_path / "missing.git"))
    pushes = [env for command, env in calls if "push" in command]
    assert len(pushes) == 1 and pushes[0]["GIT_TERMINAL_PROMPT"] == "0"
