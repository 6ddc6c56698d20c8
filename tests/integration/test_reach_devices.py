"""Reaching every device a real network has: end to end against the device lab, on SQLite and PostgreSQL.

Per backend, one module-scoped run: the estate (_reach_estate) is described with the
credential, jump_host and device modules as community.postgresql tests modules (check mode,
nothing written, the real run, check mode again and a second run, both without change),
then backed up with playbooks/backup.yml at -vvvv, with the HTML report, session logs, an
OpenSSH client config and a group_vars override. The tests read what the run left: results,
job logs, credential metrics, the lab's login record, and every output and file, searched
for every secret of the estate.
"""

import concurrent.futures
import json
import os
import sys
import time

import pytest
import sqlalchemy as sa
import yaml

from devicelab import Lab  # pylint: disable=import-error

from _ansible import ansible_env  # pylint: disable=import-error
import _backup_scenario as scenario  # pylint: disable=import-error
import _reach_estate as estate  # pylint: disable=import-error
from _databases import TEST_KEY, pg_admin_url, require_pg  # pylint: disable=import-error
from _hardening import BACKUP_PLAYBOOK, file_texts, hits, netraven_inventory, run  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    CREDENTIAL_SECRET_COLUMNS,
    Credential,
    Device,
    JobCredentialAttempt,
    JobLog,
)

pytestmark = [pytest.mark.lab, pytest.mark.postgres, pytest.mark.slow]

HERE = os.path.dirname(os.path.abspath(__file__))
ESTATE_PLAYBOOK = os.path.join(HERE, "playbooks", "reach", "estate.yml")
PROXY = os.path.join(HERE, "_proxy_command.py")


class Run:
    """What one backend's run left behind, read from the database (the job's results and logs)."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def result(self, name):
        """The device's job_results row: status and details (credential, error message, duration)."""
        [result] = scenario.job_results(self.engine, self.job_id, self.devices[name])
        return result

    def logs(self, name):
        return scenario.attempt_logs(self.engine, self.job_id, self.devices[name])

    def attempts(self, name):
        """(username, error_type, message) of each login attempt's job log row, in order."""
        return [(log["data"]["credential_username"], log["data"]["error_type"], log["message"])
                for log in self.logs(name) if log["data"] and "attempt" in log["data"]]


def _recap(proc):
    """{host: {"ok": n, "changed": n, "failed": n, ...}} from a run's PLAY RECAP."""
    recap = {}
    for line in proc.stdout.split("PLAY RECAP", 1)[-1].splitlines():
        if " : " in line:
            host, counts = line.split(" : ", 1)
            recap[host.strip()] = {key: int(value) for key, value in (item.split("=") for item in counts.split())}
    return recap


def _ssh_config(path, marker):
    """An OpenSSH client config: SHA-1 era algorithms for one host, a ProxyCommand for another."""
    path.write_text(
        "Host legacy-by-config\n"
        "    KexAlgorithms +diffie-hellman-group14-sha1\n"
        "    HostKeyAlgorithms +ssh-rsa\n"
        "    Ciphers +aes128-cbc\n"
        "Host proxied\n"
        "    ProxyCommand %s %s %s %%h %%p\n" % (sys.executable, PROXY, marker), encoding="utf-8")
    return str(path)


def _describe_and_back_up(backend, url, workdir, labs):
    """Describe the estate (check, real, check, real), then back it up once at -vvvv; returns a Run."""
    inputs, scratch = workdir / "inputs", workdir / "run"
    (scratch / "inventory" / "group_vars").mkdir(parents=True)
    (scratch / "tmp").mkdir()
    inputs.mkdir()
    lab = Lab(estate.lab_specs()).start()
    labs.append(lab)
    vars_file = inputs / "estate_vars.yml"
    vars_file.write_text(yaml.safe_dump(estate.estate_vars(lab)), encoding="utf-8")
    env = ansible_env(scratch, url, TEST_KEY, TMPDIR=scratch / "tmp", ANSIBLE_LOG_PATH=scratch / "ansible.log")
    outputs = []

    def step(label, *args):
        started = time.monotonic()
        proc = run(env, *args)
        print("%s %s: %.1f s" % (backend, label, time.monotonic() - started))
        outputs.extend([(label + " stdout", proc.stdout), (label + " stderr", proc.stderr)])
        return proc

    # The secrets pass through the first two runs at -vvvv; the second pair only proves that nothing changes.
    manage = [step("estate %s" % label, "ansible-playbook", ESTATE_PLAYBOOK, "-e", "@%s" % vars_file, *flags)
              for label, flags in (("check", ("-vvvv", "--check", "--diff")), ("apply", ("-vvvv", "--diff")),
                                   ("check again", ("--check",)), ("apply again", ()))]
    inventory = netraven_inventory(scratch / "inventory" / "reach.netraven.yml")
    # A site's devices sent the SHA-1 way from group_vars, over the database's legacy_ssh: false.
    (scratch / "inventory" / "group_vars" / "tag_oldsite.yml").write_text("netraven_legacy_ssh: true\n", encoding="utf-8")
    marker = scratch / "proxy-used.txt"
    backup = step("backup", "ansible-playbook", "-vvvv", "-i", inventory, BACKUP_PLAYBOOK, "-f", "20",
                  "-e", "netraven_connect_timeout=3", "-e", "netraven_command_timeout=%d" % estate.COMMAND_TIMEOUT,
                  "-e", "netraven_report_path=%s" % (scratch / "report.html"),
                  "-e", "netraven_session_log_dir=%s" % (scratch / "session-logs"),
                  "-e", "netraven_ssh_config_file=%s" % _ssh_config(inputs / "ssh_config", marker))
    listing = step("inventory", "ansible-inventory", "-i", inventory, "--list")
    engine = create_db_engine(url)
    with engine.connect() as conn:
        devices = dict(conn.execute(sa.select(Device.hostname, Device.id)).all())
        job_id = conn.execute(sa.text("SELECT max(id) FROM jobs")).scalar_one()
    return Run(url=url, engine=engine, lab=lab, manage=manage, backup=backup, outputs=outputs, scratch=scratch,
               devices=devices, job_id=job_id, listing=listing, marker=marker)


@pytest.fixture(scope="module")
def runs(database_factories, tmp_path_factory):
    """Both backends' runs, side by side (most of a run waits on Ansible's forks and the lab): {backend: Run or None}."""
    backends = ["sqlite"] + (["postgresql"] if pg_admin_url() else [])
    labs = []
    with concurrent.futures.ThreadPoolExecutor(len(backends)) as pool:
        futures = {backend: pool.submit(_describe_and_back_up, backend, database_factories[backend].new_url(),
                                        tmp_path_factory.mktemp("reach-" + backend), labs) for backend in backends}
        try:
            done = {backend: future.result() for backend, future in futures.items()}
        except BaseException:
            for lab in labs:
                lab.stop()
            raise
    yield done
    for result in done.values():
        result.engine.dispose()
    for lab in labs:
        lab.stop()


@pytest.fixture(params=("sqlite", "postgresql"))
def reach(request, runs):
    """One backend's Run (PostgreSQL: skipped without the throwaway server, an error under CI)."""
    if request.param == "postgresql":
        require_pg()
    return runs[request.param]


def test_the_estate_modules_check_apply_and_change_nothing_the_second_time(reach):
    check, apply, check_again, apply_again = reach.manage
    for proc in reach.manage:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    recaps = [_recap(proc)["localhost"] for proc in reach.manage]
    assert recaps[0]["changed"] == 3 and recaps[1]["changed"] == 3, recaps
    assert recaps[2]["changed"] == 0 and recaps[3]["changed"] == 0, recaps
    # Check mode wrote nothing, and said what it assumed an earlier task would create.
    assert "check mode assumes an earlier task creates it" in check.stderr
    assert '"private_key": "<changed>"' in apply.stdout and '"enable_secret": "<changed>"' in apply.stdout
    del check_again, apply_again


def test_every_device_ends_with_the_status_its_way_means(reach):
    assert reach.backup.returncode == 2, reach.backup.stdout[-3000:]
    statuses = {name: reach.result(name)["status"] for name in estate.DEVICES}
    assert "Devices: %d targeted" % len(estate.DEVICES) in reach.backup.stdout
    assert statuses == {name: expected for name, (_s, _r, _t, expected) in estate.DEVICES.items()}
    assert "Traceback" not in reach.backup.stdout + reach.backup.stderr


def test_an_enable_secret_that_differs_is_used_and_a_refused_one_moves_the_chain_on(reach):
    assert [(user, error) for user, error, _m in reach.attempts("en-diff")] == [("ops", None)]
    for name, reason in (("en-rejected", "Enable rejected"), ("no-enable", "Logged in unprivileged and cannot enable: "
                                                                           "the device said '% No password set'")):
        attempts = reach.attempts(name)
        assert [(user, error) for user, error, _m in attempts] == [("ops", "AUTH"), ("admin", None)], attempts
        assert reason in attempts[0][2], attempts[0]
    # A refused enable counts against the credential like a refused login; the hung login does not.
    counts = scenario.credentials(reach.engine)["ops-en"]
    accepted = [name for name in estate.DEVICES if reach.result(name)["status"] == "SUCCESS"
                and reach.result(name)["details"]["credential_id"] == counts["id"]]
    assert counts["failure_count"] == 2 and counts["success_count"] == len(accepted) == 10, (counts, accepted)


def test_a_key_only_login_with_a_passphrase_offers_the_key_and_nothing_else(reach):
    details = reach.result("key-only")["details"]
    assert details["credential_username"] == "kops" and details["retry_count"] == 0
    logins = reach.lab.login_attempts(device="key-only")
    assert [(r.username, r.method, r.accepted) for r in logins] == [("kops", "publickey", True)]


def test_telnet_logs_in_with_the_device_types_profile_after_a_refused_pair_and_warns_once(reach):
    assert [(user, error) for user, error, _m in reach.attempts("telnet")] == [("ops", "AUTH"), ("ops", None)]
    logins = reach.lab.login_attempts(device="telnet")
    assert [(r.method, r.accepted) for r in logins] == [("telnet", False), ("telnet", True)]
    [config] = scenario.configurations(reach.engine, reach.devices["telnet"])
    assert config["config_metadata"]["device_type"] == "cisco_ios" and config["config_data"].rstrip().endswith("end")
    warnings = [log for log in reach.logs("telnet") if "in clear" in log["message"]]
    assert len(warnings) == 1 and warnings[0]["level"] == "WARNING", warnings
    assert "crossed the network in clear" in reach.backup.stderr  # the task result's warning, shown by Ansible
    assert not [log for name in estate.DEVICES if name != "telnet" for log in reach.logs(name) if "in clear" in log["message"]]


def test_sha1_era_ssh_only_for_devices_allowed_it(reach):
    for name in ("legacy", "legacy-by-var", "legacy-by-config"):
        assert reach.result(name)["status"] == "SUCCESS", reach.result(name)
    for name in ("legacy-off", "cbc-only", "rsa-only"):
        details = reach.result(name)["details"]
        assert "legacy_ssh" in details["error_message"] and details["error_type"] == "SSH", details
        assert reach.lab.login_attempts(device=name) == [], name  # refused before any login
    kinds = {name: reach.result(name)["details"]["error_message"].split("(no acceptable ")[1].split(")")[0]
             for name in ("legacy-off", "cbc-only", "rsa-only")}
    assert kinds == {"legacy-off": "kex algorithm", "cbc-only": "ciphers", "rsa-only": "host key"}


def test_the_inventory_gives_the_databases_way_as_groups_that_group_vars_override(reach):
    listing = json.loads(reach.listing.stdout)
    assert listing["netraven_legacy_ssh"]["hosts"] == ["legacy"]
    assert listing["netraven_transport_telnet"]["hosts"] == ["telnet"]
    assert listing["netraven_jump_down_bastion"]["hosts"] == ["behind-down-bastion"]
    hostvars = listing["_meta"]["hostvars"]
    assert hostvars["legacy"]["netraven_legacy_ssh"] is True and _plain(hostvars["telnet"]["netraven_transport"]) == "telnet"
    assert hostvars["legacy-by-var"]["netraven_legacy_ssh"] is True  # group_vars/tag_oldsite.yml, over the database
    assert _plain(hostvars["behind-down-bastion"]["netraven_jump_host"]) == "down-bastion"
    # A device the database sends no other way shows the defaults (the group all's, which every group outranks).
    assert hostvars["legacy-off"]["netraven_legacy_ssh"] is False and _plain(hostvars["legacy-off"]["netraven_transport"]) == "ssh"


def _plain(value):
    """A string ansible-inventory marks as untrusted ({"__ansible_unsafe": ...}) as the string."""
    return value["__ansible_unsafe"] if isinstance(value, dict) else value


def test_an_openssh_config_proxy_command_carries_the_session(reach):
    assert reach.result("proxied")["status"] == "SUCCESS"
    assert reach.marker.read_text(encoding="utf-8").split() == ["%s:%d" % (reach.lab.address("proxied"), reach.lab.port("proxied"))]


def test_the_read_waits_for_the_prompt_the_device_showed(reach):
    for name in ("vrp-angle", "vrp-tilde"):
        [config] = scenario.configurations(reach.engine, reach.devices[name])
        assert config["config_data"].rstrip().endswith("return"), name


def test_a_pager_that_stays_on_is_answered_and_leaves_no_trace(reach):
    [config] = scenario.configurations(reach.engine, reach.devices["pager"])
    [plain] = scenario.configurations(reach.engine, reach.devices["en-diff"])
    assert "More" not in config["config_data"] and "\x08" not in config["config_data"]
    assert config["config_data"].count("\n") == plain["config_data"].count("\n")


def test_a_hung_authentication_stops_the_chain_without_counting(reach):
    assert [(user, error) for user, error, _m in reach.attempts("auth-hang")] == [("ops", "TIMEOUT")]
    assert "Authentication timed out" in reach.result("auth-hang")["details"]["error_message"]
    with reach.engine.connect() as conn:
        claims = conn.execute(sa.select(sa.func.count()).select_from(JobCredentialAttempt).where(
            JobCredentialAttempt.device_id == reach.devices["auth-hang"])).scalar_one()
    assert claims == 0  # released, not marked rejected: the lockout guard does not count it


def test_a_configuration_streaming_longer_than_command_timeout_is_read_whole(reach):
    [config] = scenario.configurations(reach.engine, reach.devices["stream"])
    assert config["config_metadata"]["bytes"] >= estate.STREAM_BYTES and config["config_data"].rstrip().endswith("end")
    assert reach.result("stream")["details"]["duration_ms"] > 2 * estate.COMMAND_TIMEOUT * 1000


def test_a_jump_host_that_is_down_fails_the_device_at_once_naming_it(reach):
    details = reach.result("behind-down-bastion")["details"]
    assert details["attempts"] == 0 and details["credential_id"] is None
    assert "jump host 'down-bastion'" in details["error_message"], details
    assert reach.lab.login_attempts(device="behind-down-bastion") == []
    with reach.engine.connect() as conn:
        logs = conn.execute(sa.select(JobLog.message).where(JobLog.device_id == reach.devices["behind-down-bastion"])).all()
    assert logs == []  # no credential attempt logged


def test_no_secret_anywhere(reach):
    """Every secret of the estate: not in any output at -vvvv, file (report, session logs, Ansible's log) or column."""
    database = scenario.dump_all(reach.engine)
    files = list(file_texts(reach.scratch))
    assert any(path.endswith("report.html") for path, _t in files)
    assert len([path for path, _t in files if "session-logs" in path]) >= 12
    assert hits(estate.every_secret(), reach.outputs + files + [("database", database)]) == []
    with reach.engine.connect() as conn:
        sealed = [value for row in conn.execute(sa.select(*[getattr(Credential, c) for c in CREDENTIAL_SECRET_COLUMNS]))
                  for value in row if value]
    assert len(sealed) == 7 and all(value.startswith("v2:") for value in sealed)
    assert hits(sealed, reach.outputs + files) == []
