"""Configurations in git and retention through real backup.yml and prune.yml runs (docs/history.md, "Configurations in git").

One lab (ok1, ok2) and one database per backend: run1 commits both files and pushes to a
bare repository; ok1's configuration changes; run2 commits ok1 alone and reports a push to a
missing remote without failing; run3 changes nothing and commits nothing; run4 exports with
netraven_git_layout: tag into a second repository, one folder per site tag. Then replay
rebuilds the same trees, a device deleted from NetRaven leaves the tree, and a directory
that is not a repository is one line. Every check reads the repositories with the git CLI.
Last, prune.yml on the same history: check mode and the real run give the same counts, the
latest configurations survive and a RUNNING job keeps its backdated log.
"""

import datetime
import json
import os
import re
import subprocess

import pytest
import sqlalchemy as sa

from _jobs_support import CREDENTIALS, LAB_SPECS, REPO_ROOT, job_rows, playbook_command, run_playbook, seed, write_inventory  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    Device,
    DeviceConfiguration,
    Job,
    JobLog,
    Tag,
    device_tag_association,
)

pytestmark = pytest.mark.slow

PRUNE_PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "prune.yml")
EXPORT_PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "git", "git_export.yml")


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def trees(repo):
    return git(repo, "log", "--reverse", "--format=%T").split()


def latest_configs(db_url):
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(Device.hostname, DeviceConfiguration.config_data)
                                .join(Device, Device.id == DeviceConfiguration.device_id)
                                .order_by(DeviceConfiguration.id)).all()
        return dict(rows)
    finally:
        engine.dispose()


def export(env, tmp_path, **extra):
    """git_export alone on the implicit localhost (the static inventory holds only devices)."""
    result_file = tmp_path / "export-result.json"
    run = run_playbook(env, tmp_path / "all.yml", dict(extra, result_file=str(result_file)), playbook=EXPORT_PLAYBOOK)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(result_file.read_text(encoding="utf-8"))


def test_git_export_through_backup_runs(ansible_env, db_url, device_lab, tmp_path):
    lab = device_lab(LAB_SPECS)
    devices = [{"hostname": spec["name"], "ip_address": lab.address(spec["name"]), "port": lab.port(spec["name"]),
                "device_type": spec["platform"], "tags": ["core"]} for spec in LAB_SPECS]
    ids, _creds = seed(db_url, ansible_env["NETRAVEN_ENCRYPTION_KEY"], devices, CREDENTIALS)
    inventory = write_inventory(tmp_path / "all.yml", db_url)
    repo, bare = tmp_path / "configs", tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    base = {"netraven_git_dir": str(repo), "netraven_git_author_name": "Backup Bot",
            "netraven_git_author_email": "bot@example.net"}

    run1 = run_playbook(ansible_env, inventory, dict(base, netraven_git_remote=str(bare)))
    assert run1.returncode == 0, run1.stdout + run1.stderr
    assert git(bare, "rev-parse", "HEAD") == git(repo, "rev-parse", "HEAD")
    stored = latest_configs(db_url)
    assert sorted(git(repo, "ls-files").split()) == ["ok1.cfg", "ok2.cfg"]
    for host in ("ok1", "ok2"):
        assert git(repo, "show", "HEAD:%s.cfg" % host) == stored[host]
    assert git(repo, "log", "-1", "--format=%an <%ae>").strip() == "Backup Bot <bot@example.net>"

    lab.set_config("ok1", extra_lines=["interface Loopback42", " description changed between runs"])
    run2 = run_playbook(ansible_env, inventory, dict(base, netraven_git_remote=str(tmp_path / "missing.git")))
    assert run2.returncode == 0, run2.stdout + run2.stderr
    assert "push to %s" % (tmp_path / "missing.git") in run2.stdout
    jobs = job_rows(db_url)
    job2 = max(jobs)
    assert jobs[job2]["status"] == "COMPLETED_SUCCESS"
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("NetRaven job %d 'netraven backup': COMPLETED_SUCCESS (2 SUCCESS)" % job2), message
    added, removed, path = git(repo, "diff", "--numstat", "HEAD~1", "HEAD").split()
    assert path == "ok1.cfg" and "changed ok1: config" in message and "ok2" not in message
    assert "+%s -%s" % (added, removed) in message
    assert git(repo, "show", "HEAD:ok1.cfg") == latest_configs(db_url)["ok1"]
    assert "description changed between runs" in git(repo, "show", "HEAD:ok1.cfg")
    assert git(repo, "log", "-1", "--format=%cI").strip()[:19] == jobs[job2]["completed_at"].isoformat()[:19]

    run3 = run_playbook(ansible_env, inventory, base)
    assert run3.returncode == 0, run3.stdout + run3.stderr
    assert len(trees(repo)) == 2
    for secret in ("N3tops!lab", "Adm1n!lab"):
        assert secret not in git(repo, "log", "-p", "--all")

    tag_layout(ansible_env, inventory, db_url, ids, base, tmp_path / "bysite")

    replayed = export(ansible_env, tmp_path, git_dir=str(tmp_path / "replayed"), replay=True)
    assert replayed["exported"] == "committed" and len(replayed["commits"]) == 2
    assert trees(tmp_path / "replayed") == trees(repo)

    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.delete(Device).where(Device.id == ids["ok2"]))
    engine.dispose()
    removal = export(ansible_env, tmp_path, git_dir=str(repo), job_id=max(job_rows(db_url)))
    assert removal["commits"][0]["removed_devices"] == ["ok2"]
    assert git(repo, "ls-files").split() == ["ok1.cfg"] and len(trees(repo)) == 3

    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("not a repository\n", encoding="utf-8")
    refused = export(ansible_env, tmp_path, git_dir=str(plain), job_id=job2)
    assert refused["exported"] == "failed" and "is not a git repository" in refused["msg"]
    assert not refused["changed"] and os.listdir(str(plain)) == ["notes.txt"]

    # A password in the remote URL: the push fails (nothing listens), the password shows nowhere.
    result_file = tmp_path / "secret-remote.json"
    run = run_playbook(dict(ansible_env, ANSIBLE_VERBOSITY="3"), tmp_path / "all.yml", {  # -vvv: the whole result
        "git_dir": str(repo), "job_id": job2, "remote": "https://netops:Url-S3cret@127.0.0.1:9/configs.git",
        "result_file": str(result_file)}, playbook=EXPORT_PLAYBOOK)
    assert run.returncode == 0, run.stdout + run.stderr
    masked = json.loads(result_file.read_text(encoding="utf-8"))
    assert masked["exported"] == "push_failed" and "push to https://netops:***@127.0.0.1:9/configs.git" in masked["msg"]
    assert "Url-S3cret" not in result_file.read_text(encoding="utf-8") + run.stdout + run.stderr
    # On the controller the action runs the module's handler: no module invocation to mask. Shipped
    # to another host the module masks the remote there (tests/unit/plugins/modules/test_git_export.py).
    assert "invocation" not in masked

    prune_history(ansible_env, db_url, tmp_path)


def tag_layout(env, inventory, db_url, ids, base, bysite):
    """netraven_git_layout: tag with netraven_git_tag_type: site; ok1 in site par, ok2 without a site tag."""
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        par = conn.execute(sa.insert(Tag).values(name="par", type="site").returning(Tag.id)).scalar_one()
        role = conn.execute(sa.insert(Tag).values(name="edge", type="role").returning(Tag.id)).scalar_one()
        conn.execute(sa.insert(device_tag_association), [{"device_id": ids["ok1"], "tag_id": par},
                                                         {"device_id": ids["ok2"], "tag_id": role}])
    engine.dispose()
    run = run_playbook(env, inventory, dict(base, netraven_git_dir=str(bysite), netraven_git_layout="tag",
                                            netraven_git_tag_type="site"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(git(bysite, "ls-files").split()) == ["_untagged/ok2.cfg", "par/ok1.cfg"]
    stored = latest_configs(db_url)
    assert git(bysite, "show", "HEAD:par/ok1.cfg") == stored["ok1"]
    assert git(bysite, "show", "HEAD:_untagged/ok2.cfg") == stored["ok2"]
    assert len(trees(bysite)) == 1


def prune_history(env, db_url, tmp_path):
    """prune.yml --check, then for real: same counts; latest configurations and the RUNNING job stay."""
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        running = conn.execute(sa.insert(Job).values(name="running", status="RUNNING").returning(Job.id)).scalar_one()
        conn.execute(sa.insert(JobLog).values(job_id=running, level="INFO", message="still needed",
                                              timestamp=datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)))
    latest_before = latest_configs(db_url)
    days = {key: 0 for key in ("configurations", "job_logs", "connection_logs", "job_results", "jobs")}
    extra = {"netraven_keep_versions": 1, "netraven_keep_days": days}
    outputs = []
    for args in (["--check"], []):
        run = subprocess.run(playbook_command(tmp_path / "all.yml", extra, playbook=PRUNE_PLAYBOOK) + args, env=env,
                             capture_output=True, text=True, timeout=180, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        outputs.append(re.search(r'"msg": "(\d+ row.*)"', run.stdout).group(1))
    assert outputs[0].replace("would be deleted", "deleted") == outputs[1], outputs
    assert "device_configurations 1" in outputs[1] and "jobs 4" in outputs[1], outputs  # run1-run4
    assert latest_configs(db_url) == latest_before
    with engine.connect() as conn:
        assert conn.execute(sa.select(Job.id, Job.status)).all() == [(running, "RUNNING")]
        assert conn.execute(sa.select(JobLog.message)).scalars().all() == ["still needed"]
        assert conn.execute(sa.select(sa.func.count()).select_from(DeviceConfiguration)).scalar_one() == 1
    engine.dispose()
