"""netraven.netraven.backup end to end: device lab + PostgreSQL + real ansible-playbook (docs/architecture.md).

One module-scoped fleet runs the playbook three times (first run, a check-mode run, a
second run after one device's configuration changed) and the tests read what each run
left in the database, the results and the lab's login record.
"""

import os

import pytest

from devicelab import Lab  # pylint: disable=import-error

from _ansible import ansible_env, ansible_playbook, read_tree_results, with_tree_results  # pylint: disable=import-error
import _backup_scenario as scenario  # pylint: disable=import-error
from _seed import seed  # pylint: disable=import-error
from _databases import TEST_KEY, require_pg  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine

pytestmark = [pytest.mark.lab, pytest.mark.postgres, pytest.mark.slow]

PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "backup", "backup_hosts.yml")
TIMEOUTS = ("-e", "netraven_connect_timeout=3", "-e", "netraven_command_timeout=2")


class Fleet:
    """What the runs left behind."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def device_id(self, name):
        return self.seeded.devices[name]

    def cred_id(self, name):
        return self.seeded.credentials[name]


def _run(env, workdir, name, inventory, job_id, *extra):
    tree = os.path.join(str(workdir), "tree-" + name)
    proc = ansible_playbook(with_tree_results(env, tree), PLAYBOOK, inventory, "-e", "netraven_job_id=%d" % job_id,
                            "-f", "10", *TIMEOUTS, *extra)
    return proc, read_tree_results(tree)


@pytest.fixture(scope="module")
def fleet(database_factories, tmp_path_factory):
    """Seed the scenario fleet on PostgreSQL, run the backup twice (plus a check-mode run)."""
    require_pg()
    workdir = tmp_path_factory.mktemp("backup-fleet")
    url = database_factories["postgresql"].new_url()
    lab = Lab(scenario.lab_specs()).start()
    try:
        seeded = seed(url, credentials=scenario.CREDENTIALS, devices=scenario.device_rows(lab),
                      jobs=[{"name": "run1", "tags": ["lab"]}, {"name": "check", "tags": ["lab"]},
                            {"name": "run2", "tags": ["lab"]}], key=TEST_KEY)
        inventory = os.path.join(str(workdir), "lab.netraven.yml")
        with open(inventory, "w", encoding="utf-8") as handle:
            handle.write("plugin: netraven.netraven.netraven\n")
        env = ansible_env(workdir, url, TEST_KEY)
        session_logs = os.path.join(str(workdir), "session-logs")
        run1, results1 = _run(env, workdir, "run1", inventory, seeded.jobs["run1"], "-vvvv",
                              "-e", "netraven_session_log_dir=%s" % session_logs)
        logins1 = lab.login_attempts()
        engine = create_db_engine(url)
        dump_after_run1 = scenario.dump_all(engine)
        lab.clear_login_attempts()
        lab.set_config("changing", extra_lines=["interface Loopback99", " description added between runs"])
        check, check_results = _run(env, workdir, "check", inventory, seeded.jobs["check"], "--check", "--diff")
        dump_after_check = scenario.dump_all(engine)
        run2, results2 = _run(env, workdir, "run2", inventory, seeded.jobs["run2"], "--diff")
        logins2 = lab.login_attempts()
        yield Fleet(url=url, engine=engine, lab=lab, seeded=seeded, run1=run1, results1=results1, run2=run2,
                    results2=results2, check=check, check_results=check_results, logins1=logins1, logins2=logins2,
                    dump_after_run1=dump_after_run1, dump_after_check=dump_after_check, session_logs=session_logs,
                    jobs=seeded.jobs)
        engine.dispose()
    finally:
        lab.stop()


def _conn_log(fleet, name, job="run1"):
    logs = scenario.connection_logs(fleet.engine, fleet.jobs[job], fleet.device_id(name))
    assert len(logs) == 1, logs
    return logs[0]


def _attempts(fleet, name, job="run1"):
    return [(log["data"]["credential_username"], log["data"]["error_type"])
            for log in scenario.attempt_logs(fleet.engine, fleet.jobs[job], fleet.device_id(name))]


def test_failed_devices_fail_the_run_but_not_the_others(fleet):
    assert fleet.run1.returncode == 2, fleet.run1.stdout[-3000:]
    assert set(fleet.results1) == set(scenario.SCENARIOS)
    recap = {line.split()[0]: line for line in fleet.run1.stdout.split("PLAY RECAP")[-1].splitlines() if ":" in line}
    for name in ("first-ok", "second-ok", "third-ok", "changing"):
        assert fleet.results1[name]["status"] == "SUCCESS", fleet.results1[name]
        assert "failed=0" in recap[name]
    for name in ("all-rejected", "unreachable", "blackhole", "slow", "bad-kex", "truncated"):
        assert "failed=1" in recap[name], recap[name]


def test_first_credential_accepted(fleet):
    result = fleet.results1["first-ok"]
    assert [a["credential_username"] for a in result["attempts"]] == ["alpha"]
    assert result["retry_count"] == 0 and result["credential_username"] == "alpha" and result["changed"] is True
    log = _conn_log(fleet, "first-ok")
    assert log["successful"] is True and log["credential_id"] == fleet.cred_id("alpha") and log["retry_count"] == 0
    assert _attempts(fleet, "first-ok") == [("alpha", None)]
    device = scenario.device(fleet.engine, fleet.device_id("first-ok"))
    assert device["last_credential_id"] == fleet.cred_id("alpha") and device["last_seen"] is not None
    [job_result] = scenario.job_results(fleet.engine, fleet.jobs["run1"], fleet.device_id("first-ok"))
    assert job_result["status"] == "SUCCESS" and job_result["details"]["credential_username"] == "alpha"


def test_first_rejected_second_accepted(fleet):
    result = fleet.results1["second-ok"]
    assert [(a["credential_username"], a["outcome"]) for a in result["attempts"]] == [("alpha", "failed"), ("bravo", "accepted")]
    assert result["retry_count"] == 1
    log = _conn_log(fleet, "second-ok")
    assert log["credential_id"] == fleet.cred_id("bravo") and log["credential_username"] == "bravo" and log["retry_count"] == 1
    assert _attempts(fleet, "second-ok") == [("alpha", "AUTH"), ("bravo", None)]


def test_all_rejected_each_tried_exactly_once(fleet):
    result = fleet.results1["all-rejected"]
    assert result["status"] == "FAILED_AUTH"
    tried = [r.username for r in fleet.logins1 if r.device == "all-rejected"]
    assert sorted(tried) == ["alpha", "bravo", "charlie"]
    log = _conn_log(fleet, "all-rejected")
    assert log["successful"] is False and log["credential_username"] == "charlie" and log["retry_count"] == 2
    assert log["error_type"] == "AUTH"
    assert _attempts(fleet, "all-rejected") == [("alpha", "AUTH"), ("bravo", "AUTH"), ("charlie", "AUTH")]


def test_metrics_count_every_login_and_only_logins(fleet):
    creds = scenario.credentials(fleet.engine)
    # Run 1: alpha accepted on first-ok and changing, rejected on second-ok, third-ok, all-rejected;
    # bravo accepted on second-ok, rejected on third-ok and all-rejected; charlie accepted on third-ok,
    # rejected on all-rejected. Faulty devices touch no metric. Run 2 adds: alpha on first-ok,
    # changing (success), bravo on second-ok, charlie on third-ok (last credential first), and
    # all-rejected's three failures again.
    assert (creds["alpha"]["success_count"], creds["alpha"]["failure_count"]) == (2 + 2, 3 + 1)
    assert (creds["bravo"]["success_count"], creds["bravo"]["failure_count"]) == (1 + 1, 2 + 1)
    assert (creds["charlie"]["success_count"], creds["charlie"]["failure_count"]) == (1 + 1, 1 + 1)
    for cred in creds.values():
        assert 0.0 < cred["success_rate"] < 1.0 and cred["last_used"] is not None


@pytest.mark.parametrize("name,status,error_type", [
    ("unreachable", "FAILED_UNREACHABLE", "UNREACHABLE"),
    ("blackhole", "FAILED_TIMEOUT", "TIMEOUT"),
    ("slow", "FAILED_TIMEOUT", "TIMEOUT"),
    ("bad-kex", "FAILED_SSH", "SSH"),
    ("truncated", "FAILED_TRUNCATED", "TRUNCATED"),
])
def test_device_faults_stop_the_chain_at_once(fleet, name, status, error_type):
    result = fleet.results1[name]
    assert result["status"] == status, result
    assert len(result["attempts"]) == 1 and result["attempts"][0]["credential_username"] == "alpha"
    log = _conn_log(fleet, name)
    assert log["successful"] is False and log["error_type"] == error_type and log["retry_count"] == 0
    assert _attempts(fleet, name) == [("alpha", error_type)]
    assert scenario.configurations(fleet.engine, fleet.device_id(name)) == []
    [job_result] = scenario.job_results(fleet.engine, fleet.jobs["run1"], fleet.device_id(name))
    assert job_result["status"] == status


def test_faulty_devices_saw_at_most_one_login(fleet):
    for name in ("unreachable", "blackhole", "bad-kex"):
        assert [r for r in fleet.logins1 if r.device == name] == []
    for name in ("slow", "truncated"):
        assert [(r.username, r.accepted) for r in fleet.logins1 if r.device == name] == [("alpha", True)]


def test_second_run_causes_zero_failed_logins_where_a_credential_worked(fleet):
    assert [r for r in fleet.logins1 if r.device == "third-ok" and not r.accepted]
    failed = {r.device for r in fleet.logins2 if not r.accepted}
    assert failed == {"all-rejected"}
    assert fleet.results2["third-ok"]["attempts"][0]["credential_username"] == "charlie"
    assert fleet.results2["third-ok"]["retry_count"] == 0


def test_unchanged_device_stores_nothing_new_although_volatile_lines_differ(fleet):
    for name in ("first-ok", "second-ok", "third-ok"):
        assert fleet.results2[name]["changed"] is False
        stored = scenario.configurations(fleet.engine, fleet.device_id(name))
        assert len(stored) == 1
        assert fleet.results2[name]["config_id"] == stored[0]["id"]


def test_changed_device_stores_a_new_row_and_shows_the_diff(fleet):
    result = fleet.results2["changing"]
    assert result["changed"] is True
    stored = scenario.configurations(fleet.engine, fleet.device_id("changing"))
    assert len(stored) == 2 and stored[1]["id"] == result["config_id"]
    assert "description added between runs" in stored[1]["config_data"]
    assert "+ description added between runs" in fleet.run2.stdout
    assert "--- before: changing (stored)" in fleet.run2.stdout and "+++ after: changing (device)" in fleet.run2.stdout
    assert "-! Last configuration change" not in fleet.run2.stdout  # volatile lines are not part of the diff


def test_stored_configuration_is_complete_and_secrets_are_masked(fleet):
    [stored] = scenario.configurations(fleet.engine, fleet.device_id("first-ok"))
    text = stored["config_data"]
    assert text.rstrip().endswith("end") and len(stored["data_hash"]) == 64
    assert "secret 5 <secret:" in text or "password 7 <secret:" in text
    [junos] = scenario.configurations(fleet.engine, fleet.device_id("third-ok"))
    assert junos["config_data"].rstrip().endswith("}")


def test_check_mode_connects_but_writes_nothing(fleet):
    assert fleet.dump_after_check == fleet.dump_after_run1
    assert fleet.check_results["changing"]["changed"] is True
    assert fleet.check_results["first-ok"]["changed"] is False


def test_no_password_anywhere(fleet):
    outputs = [fleet.run1.stdout, fleet.run1.stderr, fleet.run2.stdout, fleet.run2.stderr, fleet.check.stdout,
               fleet.check.stderr, repr(fleet.results1), repr(fleet.results2), scenario.dump_all(fleet.engine)]
    assert len(fleet.run1.stdout) > 10000  # the -vvvv run really was verbose
    logs = os.listdir(fleet.session_logs)
    assert len(logs) >= 4
    for name in logs:
        with open(os.path.join(fleet.session_logs, name), encoding="utf-8", errors="replace") as handle:
            outputs.append(handle.read())
    for password in scenario.PASSWORDS.values():
        for text in outputs:
            assert password not in text
    for ciphertext in fleet.seeded.ciphertexts.values():
        for text in outputs[:-len(logs) - 1]:
            assert ciphertext not in text
