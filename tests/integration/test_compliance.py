"""Compliance over the device lab's stored configurations, on SQLite and PostgreSQL (docs/compliance.md).

One fleet per backend (IOS, EOS, JunOS, FortiOS devices of the lab). Real playbooks/backup.yml
runs with netraven_compliance_file: the baseline (two rules fail from the start), a change in the
lab that breaks a rule (its since is set, the device fell out during that job, the other devices
are not evaluated again), and the change undone (since cleared). Then, on SQLite, the module ad
hoc (check mode, real run, idempotence, bad rules that store nothing), a play that gives each
device its own intended lines from a template, and playbooks/compliance.yml's page; the report and
the page are looked at in Chromium (test_compliance_screenshot.py).
"""

import datetime
import email
import email.policy
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import yaml

from devicelab import Lab  # pylint: disable=import-error
from devicelab.configs import _octets as lab_octets  # pylint: disable=import-error

from _ansible import ansible_env  # pylint: disable=import-error
from _databases import TEST_KEY, require_pg  # pylint: disable=import-error
from _community_general import community_general_path  # pylint: disable=import-error
from _jobs_support import REPO_ROOT, closed_port, recap, run_playbook, seed, write_inventory  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine

pytestmark = [pytest.mark.lab, pytest.mark.slow]

LOGIN = {"username": "cmpops", "password": "Cmp-Login-Pa55!", "privilege": 15}
ENABLE = "Cmp-Enable-Pa55!"
SPECS = [{"name": "cmp-ios", "platform": "cisco_ios"}, {"name": "cmp-eos", "platform": "arista_eos"},
         {"name": "cmp-junos", "platform": "juniper_junos"}, {"name": "cmp-forti", "platform": "fortinet"}]
RULES = {"rules": [
    {"name": "ssh-version-2", "platforms": ["cisco_ios"], "must_contain": "^ip ssh version 2$"},
    {"name": "no-http-server", "platforms": ["ios"], "must_not_contain": "^ip http server"},
    {"name": "vty-ssh-only", "platforms": ["cisco_ios"], "section": "^line vty", "must_contain": "^transport input ssh$"},
    {"name": "ntp-server", "platforms": ["cisco_ios", "arista_eos"], "must_contain": r"^ntp server 10\.\d+\.0\.123$"},
    {"name": "snmp-community-ro", "platforms": ["cisco_ios", "arista_eos"],
     "must_contain": "^snmp-server community <secret> (RO|ro)$"},
    {"name": "junos-ssh-root-login", "platforms": ["junos"], "section": "^services$", "must_contain": "^root-login deny$"},
    {"name": "forti-no-telnet", "platforms": ["fortinet"], "section": '^edit "port', "must_not_contain": "allowaccess .*telnet"},
    {"name": "logging-buffered", "platforms": ["cisco_ios", "arista_eos"], "must_contain": "^logging buffered"},
]}
BREAKING_LINE = "ip http server"
NOTIFY = os.path.join(REPO_ROOT, "playbooks", "notify_changes.yml")
# Nothing a rule sees or a result, report or page shows may hold these (the lab's secrets are hashed or
# masked; the community string is a secret the backup masks).
SECRETS = (LOGIN["password"], ENABLE, "netraven-ro")


def _tool(name):
    """The venv's Ansible command beside this Python."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    return path if os.path.exists(path) else name


def _moment(value):
    """A timestamp column as a naive UTC datetime (SQLite returns text through a plain SQL query)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _state(url):
    """{(hostname, rule): (status, since)} of compliance_state, and the history row count per hostname."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            state = {(row.hostname, row.rule): (row.status, _moment(row.since)) for row in connection.execute(sa.text(
                "SELECT d.hostname, s.rule, s.status, s.since FROM compliance_state s JOIN devices d ON d.id = s.device_id"))}
            history = dict(connection.execute(sa.text(
                "SELECT d.hostname, count(*) FROM compliance_results r JOIN devices d ON d.id = r.device_id "
                "GROUP BY d.hostname")).all())
            starts = [_moment(row[0]) for row in connection.execute(sa.text("SELECT started_at FROM jobs ORDER BY id"))]
    finally:
        engine.dispose()
    return state, history, starts


class Inbox:
    """aiosmtpd handler keeping every message that arrives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 pylint: disable=invalid-name,unused-argument
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def notify(env, inventory, job_id):
    """playbooks/notify_changes.yml for the job, to a real SMTP server on loopback; (run, messages)."""
    from aiosmtpd.controller import Controller  # pylint: disable=import-outside-toplevel,import-error
    inbox, port = Inbox(), closed_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = dict(env, ANSIBLE_COLLECTIONS_PATH=community_general_path() + os.pathsep + env["ANSIBLE_COLLECTIONS_PATH"])
        run = run_playbook(env, inventory, {"netraven_job_id": job_id, "netraven_mail_to": "noc@example.test",
                                            "netraven_smtp_host": "127.0.0.1", "netraven_smtp_port": port}, playbook=NOTIFY)
    finally:
        controller.stop()
    return run, inbox.messages


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def estate(request, database_factories, tmp_path_factory):
    if request.param == "postgresql":
        require_pg()
    workdir = tmp_path_factory.mktemp("compliance-" + request.param)
    url = database_factories[request.param].new_url()
    specs = [dict(spec, credentials=[LOGIN], enable_secret=ENABLE) for spec in SPECS]
    lab = Lab(specs).start()
    try:
        seed(url, TEST_KEY, [{"hostname": s["name"], "ip_address": lab.address(s["name"]), "port": lab.port(s["name"]),
                              "device_type": s["platform"], "tags": ["lab"]} for s in specs],
             [dict(LOGIN, name="cmpops", tags=["lab"])])
        inventory = write_inventory(workdir / "inventory.yml", url)
        rules_file = workdir / "rules.yml"
        rules_file.write_text(yaml.safe_dump(RULES))
        env = ansible_env(workdir, url, TEST_KEY, ANSIBLE_SHOW_CUSTOM_STATS="1")
        reports = [workdir / ("report%d.html" % number) for number in (1, 2, 3)]
        runs, states, mailed = [], [], None
        for number, report in enumerate(reports):
            if number == 1:
                lab.set_config("cmp-ios", extra_lines=[BREAKING_LINE])
            if number == 2:
                lab.reset_config("cmp-ios")
                if request.param == "sqlite":  # the mail right after the job that broke the rule
                    mailed = notify(env, inventory, 2)
            runs.append(run_playbook(env, inventory, {"netraven_report_path": str(report),
                                                      "netraven_compliance_file": str(rules_file)}))
            states.append(_state(url))
        yield SimpleNamespace(url=url, lab=lab, env=env, inventory=inventory, rules_file=rules_file, runs=runs, states=states,
                              reports=reports, workdir=workdir, backend=request.param, mailed=mailed)
    finally:
        lab.stop()


def _stats(run):
    """The custom stats the run printed (ANSIBLE_SHOW_CUSTOM_STATS)."""
    text = run.stdout.split("CUSTOM STATS:", 1)[1]
    return json.loads(text[text.index("{"):text.rindex("}") + 1])


def test_the_backup_evaluates_the_rules_file_and_reports_it(estate):
    first = estate.runs[0]
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
    assert "Compliance: 4 device(s) x 8 rule(s): 81.8% compliant (9 compliant, 2 non-compliant, 21 not applicable)" \
        in first.stdout, first.stdout[first.stdout.find("Evaluate compliance"):][:3000]
    assert "Compliance: 81.8% (9 compliant, 2 non-compliant, 21 not applicable; 2 device(s) failing)" in first.stdout
    assert "cmp-ios: logging-buffered (new since" in first.stdout
    state, _history, _starts = estate.states[0]
    assert len(state) == 4 * len(RULES["rules"])
    assert state[("cmp-ios", "no-http-server")][0] == "COMPLIANT"
    assert state[("cmp-junos", "junos-ssh-root-login")][0] == "COMPLIANT"
    assert state[("cmp-forti", "forti-no-telnet")][0] == "COMPLIANT"
    assert state[("cmp-eos", "vty-ssh-only")][0] == "NOT_APPLICABLE"
    stats = _stats(first)["netraven_compliance"]
    assert (stats["percent"], stats["non_compliant"]) == (81.8, 2)
    assert sorted((entry["hostname"], entry["rule"]) for entry in stats["fell_out"]) == [
        ("cmp-eos", "logging-buffered"), ("cmp-ios", "logging-buffered")]
    page = estate.reports[0].read_text()
    assert "<th>Compliance</th>" in page and "Compliance: <span" in page and "- ^logging buffered" in page


def test_a_change_that_breaks_a_rule_sets_since_and_only_the_changed_device_is_evaluated(estate):
    second = estate.runs[1]
    assert second.returncode == 0, second.stdout[-3000:]
    (before, history_before, _starts), (after, history_after, starts) = estate.states[0], estate.states[1]
    status, since = after[("cmp-ios", "no-http-server")]
    assert status == "NON_COMPLIANT" and since is not None
    assert since >= starts[1]
    # The rule that kept failing keeps its since; the devices whose configuration did not change were not evaluated.
    assert after[("cmp-ios", "logging-buffered")] == before[("cmp-ios", "logging-buffered")]
    assert history_after["cmp-ios"] == history_before["cmp-ios"] + len(RULES["rules"])
    for hostname in ("cmp-eos", "cmp-junos", "cmp-forti"):
        assert history_after[hostname] == history_before[hostname]
    stats = _stats(second)["netraven_compliance"]
    fell = [(entry["hostname"], entry["rule"], entry["extra"]) for entry in stats["fell_out"]]
    assert fell == [("cmp-ios", "no-http-server", [BREAKING_LINE])]
    assert "cmp-ios: no-http-server (new since" in second.stdout
    assert "+ %s" % BREAKING_LINE in estate.reports[1].read_text()


def test_the_change_undone_clears_since(estate):
    third = estate.runs[2]
    assert third.returncode == 0, third.stdout[-3000:]
    state, _history, _starts = estate.states[2]
    assert state[("cmp-ios", "no-http-server")] == ("COMPLIANT", None)
    assert state[("cmp-ios", "logging-buffered")] == estate.states[0][0][("cmp-ios", "logging-buffered")]
    assert _stats(third)["netraven_compliance"]["fell_out"] == []


def test_no_secret_in_any_output(estate):
    texts = [run.stdout + run.stderr for run in estate.runs] + [report.read_text() for report in estate.reports]
    engine = create_db_engine(estate.url)
    try:
        with engine.connect() as connection:
            texts.extend(str(row) for row in connection.execute(sa.text("SELECT * FROM compliance_results")))
            texts.extend(str(row) for row in connection.execute(sa.text("SELECT * FROM compliance_state")))
    finally:
        engine.dispose()
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


# ------------------------------------------------------------------ the module ad hoc, and playbooks (SQLite)

def _adhoc(env, args, *options):
    run = subprocess.run([_tool("ansible"), "localhost", "-o", "-m", "netraven.netraven.compliance", "-a", json.dumps(args),
                          *options], env=env, capture_output=True, text=True, timeout=120, check=False)
    line = next(line for line in run.stdout.splitlines() if line.startswith("localhost | "))
    state, payload = line[len("localhost | "):].split(" => ", 1)
    return state.strip(), json.loads(payload)


# The module's own behaviour (check mode, errors, per-host intended, the page) is the same on both
# backends: these tests take the SQLite fleet only.
SQLITE_ONLY = pytest.mark.parametrize("estate", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_notify_changes_mails_the_device_that_fell_out(estate):
    run, messages = estate.mailed
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    (message,) = messages
    assert message["Subject"].endswith("1 changed, 0 failed, 0 stale, 1 fell out of compliance")
    body = message.get_body(("plain",)).get_content()
    assert "==== cmp-ios fell out of compliance: no-http-server (since " in body and "+ %s" % BREAKING_LINE in body
    assert "logging-buffered" not in body.split("fell out of compliance", 1)[1], "it fell out in the first job"
    for secret in SECRETS:
        assert secret not in body


@SQLITE_ONLY
def test_check_mode_real_run_and_idempotence(estate):
    args = {"tags": ["lab"], "rules": [{"name": "adhoc-ntp", "platforms": ["cisco_ios"], "match": "ntp server",
                                        "intended": ["ntp server 192.0.2.1"]}]}
    _state0, history0, _starts = _state(estate.url)
    state, result = _adhoc(estate.env, args, "--check", "--diff")
    assert state == "CHANGED" and result["summary"]["non_compliant"] == 1, result
    assert _state(estate.url)[1] == history0, "check mode stores nothing"
    state, result = _adhoc(estate.env, args)
    assert state == "CHANGED"
    (ios,) = [entry for entry in result["results"] if entry["status"] == "NON_COMPLIANT"]
    assert ios["hostname"] == "cmp-ios" and ios["missing"] == ["ntp server 192.0.2.1"]
    assert len(ios["extra"]) == 1 and ios["extra"][0].startswith("ntp server 10.") and ios["since"]
    assert _state(estate.url)[1]["cmp-ios"] == history0["cmp-ios"] + 1
    state, result = _adhoc(estate.env, args, "--check")
    assert state == "SUCCESS" and result["changed"] is False
    state, again = _adhoc(estate.env, args)
    assert state == "SUCCESS" and again["changed"] is False
    assert [entry["since"] for entry in again["results"] if entry["status"] == "NON_COMPLIANT"] == [ios["since"]]
    assert _state(estate.url)[1]["cmp-ios"] == history0["cmp-ios"] + 2, "every evaluation is kept"


@pytest.mark.parametrize("rules,culprit", [
    ([{"name": "x", "must_contain": "a", "colour": "red"}], "Rule 'x': unknown field 'colour'"),
    ([{"name": "x"}], "Rule 'x': has no check"),
    ([{"name": "x", "must_contain": "a"}, {"name": "x", "must_contain": "b"}], "Rule 'x' is defined twice"),
    ([{"name": "x", "must_contain": "(ip"}], "Invalid regex for rule 'x' must_contain '(ip'"),
    ([{"name": "x", "platforms": ["cisco_ios"], "must_not_contain": "^snmp-server community netraven-ro"}],
     "Rule 'x', field 'must_not_contain' tests a secret's value"),
])
@SQLITE_ONLY
def test_bad_rules_fail_in_one_line_and_store_nothing(estate, rules, culprit):
    before = _state(estate.url)
    state, result = _adhoc(estate.env, {"rules": rules})
    assert state == "FAILED!" and culprit in result["msg"] and "\n" not in result["msg"], result
    assert "Traceback" not in json.dumps(result) and "netraven-ro" not in json.dumps(result)
    assert _state(estate.url)[:2] == before[:2]


@SQLITE_ONLY
def test_each_device_against_its_own_intended_lines(estate):
    """intended from a template with host variables: each host's golden NTP line is its own."""
    playbook = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "compliance", "per_host.yml")
    host_vars = estate.workdir / "host_vars"
    host_vars.mkdir(exist_ok=True)
    servers = {}
    for name in ("cmp-ios", "cmp-eos"):
        servers[name] = "10.%d.0.123" % lab_octets(name)[0]  # the lab's own NTP server of that device
        (host_vars / ("%s.yml" % name)).write_text(yaml.safe_dump({"ntp_servers": [servers[name]]}))
    (host_vars / "cmp-ios.yml").write_text(yaml.safe_dump({"ntp_servers": [servers["cmp-ios"], "192.0.2.99"]}))
    results = estate.workdir / "verdicts.json"
    run = subprocess.run([_tool("ansible-playbook"), "-i", str(estate.inventory),
                          playbook, "-e", "results_file=%s" % results, "--limit", "cmp-ios,cmp-eos"],
                         env=estate.env, capture_output=True, text=True, timeout=180, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert recap(run.stdout)["cmp-ios"]["failed"] == 0
    # Each host's template rendered its own servers: cmp-eos's one is its lab server; cmp-ios also wants 192.0.2.99.
    assert json.loads(results.read_text()) == {"cmp-eos": "COMPLIANT", "cmp-ios": "NON_COMPLIANT"}
    state, _history, _starts = _state(estate.url)
    assert state[("cmp-ios", "ntp-golden")][0] == "NON_COMPLIANT" and state[("cmp-eos", "ntp-golden")][0] == "COMPLIANT"


@SQLITE_ONLY
def test_the_estate_playbook_writes_the_page(estate):
    page = estate.workdir / "compliance.html"
    run = subprocess.run([_tool("ansible-playbook"),
                          os.path.join(REPO_ROOT, "playbooks", "compliance.yml"), "-e",
                          "netraven_compliance_file=%s" % estate.rules_file, "-e", "netraven_compliance_report=%s" % page],
                         env=estate.env, capture_output=True, text=True, timeout=180, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "NON_COMPLIANT cmp-ios: logging-buffered" in run.stdout
    text = page.read_text()
    assert "<title>NetRaven compliance: 81.8% compliant</title>" in text
    assert "Devices &times; rules" in text and "<script" not in text
    for secret in SECRETS:
        assert secret not in text + run.stdout
