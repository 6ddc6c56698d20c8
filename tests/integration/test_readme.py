"""README.md tells the truth: its example files are the ones in docs/examples/, its status tables
are complete, and every command of its real-network example works, in order, as written.

The "real network" is a device lab serving the README's three devices (with the README's
passwords) and the database a fresh PostgreSQL database. The commands run verbatim in bash,
with two substitutions only: the values of the `export NETRAVEN_DB_URL=` and
`export NETRAVEN_ENCRYPTION_KEY=` lines (the README shows placeholders), and the devices'
addresses in estate_vars.yml (the lab's loopback addresses instead of 192.0.2.x).
`make demo` and `make test`, the two blocks not run here, are exercised by test_demo.py and CI.
"""

import os
import re
import shlex
import subprocess
import sys

import pytest
import sqlalchemy as sa
import yaml

from _databases import create_pg_database, drop_pg_database, pg_url_for, require_pg  # pylint: disable=import-error
from _readme import EXAMPLES_DIR, README, REPO_ROOT, command_blocks, commands, file_blocks  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import DeviceStatus, JobStatus

KEY = "readme-test-passphrase"
VAULT_PASSWORD = "readme-test-vault-password"
# Which credential each README device accepts in the lab: par-edge-1 only the fallback, so the
# first backup shows a chain falling through (as the README's sample summary says).
ACCEPTS = {"par-core-1": "netops", "par-edge-1": "fallback", "lyo-fw-1": "netops"}
_EXPORT = re.compile(r"^export ([A-Z_]+)=(.*)$")
SUBSTITUTED = ("NETRAVEN_DB_URL", "NETRAVEN_ENCRYPTION_KEY")


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


# --------------------------------------------------------------------------- static checks

def test_example_files_are_in_the_readme_verbatim():
    included = file_blocks()
    on_disk = sorted(os.path.join("docs", "examples", name) for name in os.listdir(EXAMPLES_DIR))
    assert sorted(included) == on_disk, "every docs/examples file is shown in README.md, and only those"
    for path, block in included.items():
        assert block.text == _read(os.path.join(REPO_ROOT, path)), "%s differs from %s" % (block.where, path)


def test_every_bash_block_is_run_here_or_by_the_demo_and_ci():
    makefile = _read(os.path.join(REPO_ROOT, "Makefile"))
    for block in command_blocks():
        assert block.kind in (None, "readme-test"), "%s: a bash block cannot be a file" % block.where
        if block.kind == "readme-test" and block.arg.startswith("skip"):
            for line in commands(block):
                assert line in ("make demo", "make test"), "%s: only make demo / make test may be skipped" % block.where
                assert re.search(r"^%s:" % line.split()[1], makefile, re.M), "Makefile has no %s target" % line
        else:
            assert block.arg in (None, "in-checkout"), "%s: unknown directive %r" % (block.where, block.arg)


def _table_statuses(text, heading):
    section = text.split(heading, 1)[1].split("\n\n", 2)[1]
    return [match.group(1) for match in re.finditer(r"^\| `([A-Z_]+)` \|", section, re.M)]


def test_status_tables_list_every_status_once():
    text = _read(README)
    jobs = _table_statuses(text, "Job statuses (`jobs.status`):")
    devices = _table_statuses(text, "Device statuses (`job_results.status`, one per device and job):")
    assert sorted(jobs) == sorted(JobStatus.ACTIVE + JobStatus.FINAL)
    assert sorted(devices) == sorted(DeviceStatus.ALL)


def test_versions_match_the_collection_metadata():
    text = _read(README)
    runtime = yaml.safe_load(_read(os.path.join(REPO_ROOT, "meta", "runtime.yml")))
    assert '`requires_ansible: "%s"`' % runtime["requires_ansible"] in text
    version = yaml.safe_load(_read(os.path.join(REPO_ROOT, "galaxy.yml")))["version"]
    assert "netraven-netraven-%s.tar.gz" % version in text, "the install command names the current version"


# --------------------------------------------------------------------------- the real-network example

@pytest.fixture
def readme_database():
    require_pg()
    name = create_pg_database()
    yield pg_url_for(name)
    drop_pg_database(name)


def _lab_specs(estate, passwords):
    usernames = {cred["name"]: cred["username"] for cred in estate["netraven_credentials"]}
    return [{"name": dev["hostname"], "platform": dev["device_type"],
             "credentials": [{"username": usernames[ACCEPTS[dev["hostname"]]],
                              "password": passwords[ACCEPTS[dev["hostname"]]], "privilege": 15}]}
            for dev in estate["netraven_devices"]]


def _project(tmp_path, lab, estate):
    """The user's project directory: the README's files, estate_vars.yml pointing at the lab."""
    project = tmp_path / "project"
    project.mkdir()
    for path, block in file_blocks().items():
        (project / os.path.basename(path)).write_text(block.text, encoding="utf-8")
    for device in estate["netraven_devices"]:
        device["ip_address"] = lab.address(device["hostname"])
        device["port"] = lab.port(device["hostname"])
    (project / "estate_vars.yml").write_text("---\n" + yaml.safe_dump(estate, sort_keys=False), encoding="utf-8")
    return project


def _environment(tmp_path):
    """A user's shell: the test venv's tools first, an empty HOME, no NetRaven or collection settings."""
    home = tmp_path / "home"
    home.mkdir()
    vault = home / ".netraven-vault-pass"
    vault.write_text(VAULT_PASSWORD + "\n", encoding="utf-8")
    vault.chmod(0o600)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ANSIBLE_", "NETRAVEN_", "PIP_"))}
    env.update({
        "HOME": str(home),
        "PATH": os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
        "ANSIBLE_NOCOLOR": "1",
        # The venv already has requirements.txt: the README's pip install must not need the network.
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    })
    return env


def _substituted(line, db_url):
    match = _EXPORT.match(line)
    if not match or match.group(1) not in SUBSTITUTED:
        return line
    value = db_url if match.group(1) == "NETRAVEN_DB_URL" else KEY
    return "export %s=%s" % (match.group(1), shlex.quote(value))


def _run_blocks(env, project, db_url):
    """Run every bash block of the README in order; returns [(block, output)]."""
    exports = []
    outputs = []
    for block in command_blocks():
        if block.kind == "readme-test" and block.arg.startswith("skip"):
            continue
        lines = [_substituted(line, db_url) for line in block.text.splitlines()]
        script = "\n".join(["set -euo pipefail"] + exports + lines) + "\n"
        exports.extend(line for line in lines if _EXPORT.match(line))
        cwd = REPO_ROOT if block.arg == "in-checkout" else str(project)
        proc = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=600, check=False)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, "%s failed (exit %d):\n%s" % (block.where, proc.returncode, output[-3000:])
        outputs.append((block, output))
    return outputs


def _output_of(outputs, command):
    matches = [output for block, output in outputs if any(line.startswith(command) for line in commands(block))]
    assert matches, "no README block runs %r" % command
    return matches


@pytest.mark.slow
def test_the_real_network_example_works_as_written(tmp_path, readme_database, device_lab):
    estate = yaml.safe_load(file_blocks()["docs/examples/estate_vars.yml"].text)
    passwords = yaml.safe_load(file_blocks()["docs/examples/secrets.yml"].text)["netraven_passwords"]
    lab = device_lab(_lab_specs(estate, passwords))
    project = _project(tmp_path, lab, estate)
    env = _environment(tmp_path)

    outputs = _run_blocks(env, project, readme_database)

    # The collection was installed where Ansible looks by default, not taken from the checkout.
    assert (tmp_path / "home/.ansible/collections/ansible_collections/netraven/netraven/MANIFEST.json").is_file()
    # Step 3: the vault is encrypted and the estate is in the database.
    assert _read(project / "secrets.yml").startswith("$ANSIBLE_VAULT;")
    assert re.search(r"^localhost\s*:.*changed=[1-9]", _output_of(outputs, "ansible-playbook estate.yml")[0], re.M)
    # Step 4: the inventory shows the devices and their tag groups; their keys are known.
    graph = _output_of(outputs, "ansible-inventory -i prod.netraven.yml --graph")[0]
    for name in ("@tag_site_paris", "@tag_core", "@type_juniper_junos", "par-core-1", "par-edge-1", "lyo-fw-1"):
        assert name in graph
    known_hosts = _read(tmp_path / "home/.ssh/known_hosts")
    for device in estate["netraven_devices"]:
        assert "[%s]:%d " % (device["ip_address"], device["port"]) in known_hosts
    # Step 5: the backup, with host key checking on (Ansible's default): every device backed up,
    # par-edge-1 after one rejected login; the README's sample summary is what it printed.
    backup = _output_of(outputs, "ansible-playbook netraven.netraven.backup")[0]
    sample = _readme_sample_summary()
    assert sample, "README.md shows the backup's summary"
    printed = backup.split("TASK [Show the job summary]", 1)[-1].split("TASK [", 1)[0]
    for line in sample:
        assert line in printed, "README's sample summary line %r is not in the real output:%s" % (line, printed)
    assert len(lab.failed_logins()) == 1 and lab.failed_logins("par-edge-1")
    report = _read(project / "reports" / "backup.html")
    assert "<html" in report and all(device["hostname"] in report for device in estate["netraven_devices"])
    engine = sa.create_engine(readme_database, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT status FROM jobs")).scalars().all() == ["COMPLETED_SUCCESS"]
            assert conn.execute(sa.text("SELECT COUNT(*) FROM device_configurations")).scalar() == 3
            tokens = conn.execute(sa.text("SELECT password FROM credentials")).scalars().all()
    finally:
        engine.dispose()
    # Key rotation: the check listed the passwords to re-seal, the run re-sealed them all under
    # the README's new passphrase, which alone now opens every stored password.
    rekey = _output_of(outputs, 'NETRAVEN_ENCRYPTION_OLD_KEYS="$NETRAVEN_ENCRYPTION_KEY" NETRAVEN_ENCRYPTION_KEY="$NEW_KEY" ansible')[0]
    assert rekey.count('would be re-sealed under the current key') == 1 and rekey.count(' re-sealed under') == 2
    new_key = re.search(r"^NEW_KEY='(.*?)'", _read(README), re.M).group(1)
    engine = sa.create_engine(readme_database, poolclass=sa.pool.NullPool)
    try:
        assert len(tokens) == len(passwords) and all(secret_box_for(engine, new_key).is_current(token) for token in tokens)
    finally:
        engine.dispose()
    # Upgrading: both commands leave the current schema alone.
    migrations = _output_of(outputs, "ansible-playbook netraven.netraven.migrate")
    assert "(7 migration(s))" in migrations[0] and "(0 migration(s))" in migrations[1]
    # No password, from the vault or the database URL, in anything the commands printed.
    everything = "".join(output for _block, output in outputs)
    for secret in list(passwords.values()) + [VAULT_PASSWORD, KEY]:
        assert secret not in everything


def _readme_sample_summary():
    """The quoted lines of the README's sample 'Show the job summary' output."""
    text = _read(README)
    sample = text.split("TASK [Show the job summary]", 1)[1].split("```", 1)[0]
    return [match.group(1) for match in re.finditer(r'^\s+"(.*)",?$', sample, re.M)]
