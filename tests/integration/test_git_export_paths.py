"""The git export never writes outside git_dir, whatever names the database holds (docs/hardening.md).

Rows written by another tool (the device and tag modules refuse these names): devices named
``../../x``, an absolute path, ``.hidden`` and ``-x``, and devices in tag folders of those
names. Each layout exports into a repository two levels below a work area that also holds a
file outside every tree; before the export, symbolic links are planted and committed in the
tree (the flat layout: r1's file points at that outside file; the tag layout: r1's folder
points at the outside directory). One real ansible-playbook run of git_export per layout and
backend, the real git CLI: every file of the work area outside the repositories is byte for
byte what it was, the unsafe devices are skipped with a warning naming each, and the safe
ones are committed.
"""

import datetime
import hashlib
import json
import os
import subprocess

import pytest

from _jobs_support import run_playbook  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, DeviceConfiguration, Job, JobResult, Tag

pytestmark = pytest.mark.slow

EXPORT_PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "git", "git_export.yml")
OUTSIDE_TEXT = "the controller's own file\n"


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def unsafe_names(work):
    return ["../../x", str(work / "abs" / "x"), ".hidden", "-x"]


def seed(db_url, names):
    """r1 in site par, r2 in lyo; a device per unsafe hostname (site par); t0..t3 in a site tag named like each; one job."""
    engine = create_db_engine(db_url)
    when = datetime.datetime(2026, 12, 24, 2, 0, 0)
    try:
        with session_scope(engine) as session:
            par = Tag(name="par", type="site")
            devices = [Device(hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=[par]),
                       Device(hostname="r2", ip_address="192.0.2.2", device_type="cisco_ios", tags=[Tag(name="lyo", type="site")])]
            devices += [Device(hostname=name, ip_address="192.0.2.%d" % (10 + index), device_type="cisco_ios", tags=[par])
                        for index, name in enumerate(names)]
            devices += [Device(hostname="t%d" % index, ip_address="192.0.2.%d" % (20 + index), device_type="cisco_ios",
                               tags=[Tag(name=name, type="site")]) for index, name in enumerate(names)]
            job = Job(name="nightly", status="COMPLETED_SUCCESS", started_at=when, completed_at=when)
            session.add_all(devices + [job])
            session.flush()
            for device in devices:
                text = "hostname %s\nsnmp-server community <secret:0f0f> RO\n" % device.hostname
                session.add(JobResult(job_id=job.id, device_id=device.id, status="SUCCESS", result_time=when))
                session.add(DeviceConfiguration(device_id=device.id, job_id=job.id, config_data=text,
                                                data_hash=hashlib.sha256(text.encode()).hexdigest(), retrieved_at=when))
            return job.id
    finally:
        engine.dispose()


def snapshot(work, repos):
    """Every file and link of the work area outside the repositories: path -> content (or link target)."""
    found = {}
    for top, dirs, files in os.walk(str(work)):
        dirs[:] = [name for name in dirs if os.path.join(top, name) not in repos]
        for name in files + [name for name in dirs if os.path.islink(os.path.join(top, name))]:
            path = os.path.join(top, name)
            if os.path.islink(path):
                found[path] = "-> " + os.readlink(path)
            else:
                with open(path, "rb") as handle:
                    found[path] = handle.read()
    return found


def plant(repo, layout, outside):
    """A repository with a link committed where the export will write: r1's file (flat) or folder (tag)."""
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    if layout == "flat":
        os.symlink(str(outside / "r1.cfg"), str(repo / "r1.cfg"))
    else:
        os.symlink(str(outside), str(repo / "par"))
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=planted", "-c", "user.email=planted@example.net", "commit", "-q", "-m", "planted")


@pytest.mark.parametrize("layout", ["flat", "tag"])
def test_unsafe_names_and_planted_links_never_write_outside_git_dir(ansible_env, db_url, tmp_path, layout):
    work = tmp_path / "work"
    outside = work / "outside"
    outside.mkdir(parents=True)
    (outside / "r1.cfg").write_text(OUTSIDE_TEXT, encoding="utf-8")
    names = unsafe_names(work)
    job_id = seed(db_url, names)
    repo = work / "a" / "b" / layout  # ../../x.cfg from it would be work/a/x.cfg
    repo.parent.mkdir(parents=True)
    plant(repo, layout, outside)
    before = snapshot(work, {str(repo)})

    result_file = tmp_path / "export.json"
    inventory = tmp_path / "empty.yml"  # git_export runs on the implicit localhost
    inventory.write_text("all:\n  hosts: {}\n", encoding="utf-8")
    run = run_playbook(ansible_env, inventory, {
        "git_dir": str(repo), "job_id": job_id, "layout": layout, "tag_type": "site", "result_file": str(result_file)},
        playbook=EXPORT_PLAYBOOK)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(result_file.read_text(encoding="utf-8"))

    assert snapshot(work, {str(repo)}) == before  # nothing written, created or replaced outside the tree
    assert (outside / "r1.cfg").read_text(encoding="utf-8") == OUTSIDE_TEXT
    assert result["exported"] == "committed" and git(repo, "status", "--porcelain") == ""
    output = " ".join((run.stdout + run.stderr).split())  # the warnings, as Ansible wraps them
    for name in names:
        assert "device %r skipped" % name in output, name
    for index, name in enumerate(names):
        if layout == "tag":
            assert "device 't%d' skipped: its site tag %r cannot be a file name" % (index, name) in output
    tracked = sorted(git(repo, "ls-files").split())
    if layout == "flat":
        # r1's planted link is replaced by r1's file; t0..t3 have safe names.
        assert tracked == ["r1.cfg", "r2.cfg"] + ["t%d.cfg" % index for index in range(len(names))]
        assert not os.path.islink(str(repo / "r1.cfg")) and "hostname r1" in (repo / "r1.cfg").read_text()
    else:
        # r1's folder is the planted link: r1 is skipped, the link stays as committed.
        assert tracked == ["lyo/r2.cfg", "par"] and os.path.islink(str(repo / "par"))
        assert "device 'r1' skipped: 'par' in the git tree is a symbolic link" in output
    for top, _dirs, files in os.walk(str(repo)):
        for name in files:
            path = os.path.join(top, name)
            assert os.path.islink(path) or os.path.realpath(path).startswith(str(repo) + os.sep), path
