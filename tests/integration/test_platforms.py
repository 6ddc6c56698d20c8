"""Every platform backed up through ``ansible-playbook netraven.netraven.backup`` against the device lab.

One lab fleet (one device per netmiko device type, plus a truncating twin for each platform
with an end marker, plus a ``ubiquiti_edgeswitch`` known only to a user profile) and four
playbook runs per database: a first run (report, ``--diff``), a run where only volatile
lines changed, a run after one real change per device (``--diff``), and the tests then read
the database, the task results, the ``--diff`` output and the HTML report.
"""

import json
import os
import re
from types import SimpleNamespace

import pytest

from devicelab import Lab  # pylint: disable=import-error

from _ansible import ansible_env, ansible_playbook, read_tree_results, with_tree_results  # pylint: disable=import-error
import _backup_scenario as scenario  # pylint: disable=import-error
from _databases import TEST_KEY, require_pg  # pylint: disable=import-error
from _seed import seed  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine

pytestmark = [pytest.mark.lab, pytest.mark.slow]

PASSWORD = "Pl4tform!lab"
ENABLE = "En4ble!plat"
# device type -> (secret value patterns in the device's configuration, has an end marker)
PLATFORMS = {
    "cisco_ios": ([r"secret 5 (\S+)", r"community (\S+) RO"], True),
    "cisco_xe": ([r"secret 5 (\S+)", r"community (\S+) RO"], True),
    "arista_eos": ([r"secret sha512 (\S+)", r"password sha512 (\S+)", r"community (\S+) ro"], True),
    "juniper_junos": ([r'encrypted-password "([^"]+)"', r"community (\S+) \{"], True),
    "juniper": ([r'encrypted-password "([^"]+)"', r"community (\S+) \{"], True),
    "cisco_nxos": ([r"password 5 (\S+)", r"auth md5 (\S+)", r"priv (0x\S+)", r'key 7 "([^"]+)"',
                    r"authentication-key 3 (\S+)", r"community (\S+) group"], False),
    "cisco_xr": ([r"secret 10 (\S+)", r"community (\S+) RO", r"md5 encrypted (\S+)"], True),
    "cisco_asa": ([r"enable password (\S+)", r"username \S+ password (\S+)", r"passwd (\S+)",
                   r"pre-shared-key (\S+)", r"community (\S+) version", r"^ key (\S+)"], True),
    "fortinet": ([r"set password ENC (SH2\w+)", r'set name "(forti-ro-\d+)"'], True),
    "paloalto_panos": ([r"phash (\S+);", r"snmp-community-string (\S+);"], True),
    "mikrotik_routeros": ([r"wpa2-pre-shared-key=(\S+)", r"password=(\S+)", r"secret=(\S+)", r"name=(ros-ro-\d+)"], False),
    "huawei": ([r"irreversible-cipher (\S+)", r"cipher (%\^%#\S+%\^%#)"], True),
    "huawei_vrp": ([r"irreversible-cipher (\S+)", r"cipher (%\^%#\S+%\^%#)"], True),
    "hp_procurve": ([r'sha1 "([^"]+)"', r'community "([^"]+)"', r'key "([^"]+)"'], False),
    "aruba_aoscx": ([r"ciphertext (\S+)", r"community (\S+)"], False),
    "hp_comware": ([r"password hash (\S+)", r"cipher (\S+)"], True),
    "dell_os10": ([r"username \S+ password (\S+)", r"key 9 (\S+)", r"community (\S+) ro"], False),
    "dell_force10": ([r"secret 5 (\S+)", r"password 7 (\S+)", r"key 7 (\S+)", r"community (\S+) ro"], True),
    "extreme_exos": ([r'encrypted "([^"]+)"', r'community "([^"]+)"'], False),
}
USER_TYPE = "ubiquiti_edgeswitch"
USER_SECRETS = [r"password (\S+) level", r"encrypted (\S+)$", r'community "([^"]+)"']
# Values a device re-encrypts on every read: never stored, never shown, in any form.
REENCRYPTED = re.compile(r"ENC [A-Za-z0-9+/]{24,}|-AQ==[A-Za-z0-9+/]{8,}")
CLASSIC = {"cisco_ios", "cisco_xe", "arista_eos", "juniper_junos", "juniper"}
BACKENDS = ["sqlite", "postgresql"]


def _name(device_type, prefix="p"):
    return f"{prefix}-{device_type.replace('_', '-')}"


def _specs():
    cred = [{"username": "platops", "password": PASSWORD, "privilege": 15}]
    specs = [{"name": _name(t), "platform": t, "credentials": cred, "enable_secret": ENABLE}
             for t in list(PLATFORMS) + [USER_TYPE]]
    specs += [{"name": _name(t, "cut"), "platform": t, "credentials": cred, "enable_secret": ENABLE, "fault": "truncate"}
              for t, (_pats, marker) in PLATFORMS.items() if marker]
    return specs


def _platforms_file(path):
    """A user profile for ubiquiti_edgeswitch and an IOS override with one more volatile line."""
    doc = {
        "profiles": {
            USER_TYPE: {
                "device_types": [USER_TYPE],
                "extends": "generic",
                "commands": ["show running-config"],
                "end": r"^exit$",
                "volatile": [r"^!System Up Time", r"^!Current SNTP Synchronized Time:"],
                "secrets": [r'^username "\S+" password (?P<secret>\S+)', r'^snmp-server community "(?P<secret>[^"]+)',
                            r"^radius server key auth \S+ encrypted (?P<secret>\S+)"],
            },
            "cisco_ios": {"extends": "cisco_ios", "volatile": [r"^snmp-server location "]},
        }
    }
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(doc, stream)  # JSON is YAML
    return str(path)


_ADDRESS = re.compile(r"\b(10\.\d+\.\d+\.)\d+\b")


def _change(text):
    """One real change: the first address ``10.a.b.c`` in the configuration becomes ``10.a.b.200``."""
    changed, count = _ADDRESS.subn(r"\g<1>200", text, count=1)
    assert count == 1, text[:400]
    return changed


def _run(env, workdir, label, inventory, job_id, *extra):
    tree = os.path.join(str(workdir), "tree-" + label)
    proc = ansible_playbook(with_tree_results(env, tree), "netraven.netraven.backup", inventory,
                            "-e", "netraven_job_id=%d" % job_id, "-f", "8",
                            "-e", "netraven_connect_timeout=5", "-e", "netraven_command_timeout=20", *extra)
    return proc, read_tree_results(tree)


@pytest.fixture(scope="module", params=BACKENDS)
def fleet(request, database_factories, tmp_path_factory):
    """Seed the platform fleet, then run the backup four times."""
    if request.param == "postgresql":
        require_pg()
    workdir = tmp_path_factory.mktemp("platforms-" + request.param)
    url = database_factories[request.param].new_url()
    lab = Lab(_specs()).start()
    try:
        names = [s["name"] for s in _specs()]
        devices = [{"hostname": n, "ip_address": lab.address(n), "port": lab.port(n),
                    "device_type": lab.devices[n].platform, "tags": ["plat"]} for n in names]
        seeded = seed(url, credentials=[{"name": "platops", "username": "platops", "password": PASSWORD,
                                         "priority": 10, "tags": ["plat"]}],
                      devices=devices, jobs=[{"name": j, "tags": ["plat"]} for j in ("run1", "run2", "run3")],
                      key=TEST_KEY)
        inventory = os.path.join(str(workdir), "lab.netraven.yml")
        with open(inventory, "w", encoding="utf-8") as handle:
            handle.write("plugin: netraven.netraven.netraven\n")
        env = ansible_env(workdir, url, TEST_KEY)
        platforms_file = _platforms_file(os.path.join(str(workdir), "platforms.yml"))
        report = os.path.join(str(workdir), "report.html")
        common = ("-e", "netraven_platforms_file=%s" % platforms_file)
        first = {n: lab.config(n) for n in names}
        engine = create_db_engine(url)
        runs = {}

        def backup(label, *extra):
            proc, results = _run(env, workdir, label, inventory, seeded.jobs[label], "--diff", *common, *extra)
            with open(os.path.join(str(workdir), label + ".out"), "w", encoding="utf-8") as stream:
                stream.write(proc.stdout + proc.stderr)
            # What the job recorded per device (a failed host's task result has no status of its own).
            recorded = {n: scenario.job_results(engine, seeded.jobs[label], seeded.devices[n]) for n in names}
            stored = {n: scenario.configurations(engine, seeded.devices[n]) for n in names}
            runs[label] = (proc, results, recorded, stored)

        backup("run1", "-e", "netraven_report_path=%s" % report)
        # Only volatile lines differ now, plus the overridden IOS profile's extra volatile line.
        lab.set_config(_name("cisco_ios"), text=lab.config(_name("cisco_ios")).replace(
            "snmp-server location Lab rack", "snmp-server location Moved rack"))
        backup("run2")
        before_change = {n: lab.config(n) for n in names}
        for name in names:
            if not name.startswith("cut-"):
                lab.set_config(name, text=_change(lab.config(name)))
        backup("run3")
        with open(report, encoding="utf-8") as stream:
            page = stream.read()
        fields = {}
        for number in (1, 2, 3):
            proc, results, recorded, stored = runs["run%d" % number]
            fields.update({"run%d" % number: proc, "results%d" % number: results, "recorded%d" % number: recorded,
                           "stored%d" % number: stored})
        yield SimpleNamespace(url=url, engine=engine, lab=lab, seeded=seeded, report=page, first=first,
                              before_change=before_change, dump=scenario.dump_all(engine), **fields)
        engine.dispose()
    finally:
        lab.stop()


def _params(types):
    return list(types)


def _secrets(fleet, device_type, patterns):
    text = fleet.before_change[_name(device_type)]
    values = {m.group(1) for p in patterns for m in re.finditer(p, text, re.M)}
    assert values, f"{device_type}: the lab config has none of its secret forms"
    return values


def _diff_of(stdout, name):
    """The --diff hunk the run printed for one device ('' when none)."""
    section = stdout.split("+++ after: %s (device)" % name, 1)
    return section[1].split("+++ after:", 1)[0].split("TASK [", 1)[0] if len(section) == 2 else ""


def _recorded(fleet, number, name):
    """The job_results row of one device in run 1, 2 or 3, as the database holds it."""
    [row] = getattr(fleet, "recorded%d" % number)[name]
    return row


@pytest.mark.parametrize("device_type", _params(PLATFORMS))
def test_success_with_the_complete_configuration_stored(fleet, device_type):
    name = _name(device_type)
    result = fleet.results1[name]
    assert result.get("status") == "SUCCESS", result
    assert _recorded(fleet, 1, name)["status"] == "SUCCESS"
    stored = fleet.stored1[name]
    assert len(stored) == 1
    body = [ln for ln in fleet.first[name].splitlines() if ln.strip() and "ENC" not in ln
            and "-AQ==" not in ln and not re.match(r"^[A-Za-z0-9+/=]{40,}$", ln)]
    # Every non-secret line of the device's configuration is in the stored text.
    secrets = _secrets(fleet, device_type, PLATFORMS[device_type][0])
    missing = [ln for ln in body if not any(s in ln for s in secrets) and ln.strip() not in stored[0]["config_data"]]
    assert not missing, missing[:5]


@pytest.mark.parametrize("device_type", _params(list(PLATFORMS) + [USER_TYPE]))
def test_no_secret_value_anywhere(fleet, device_type):
    patterns = USER_SECRETS if device_type == USER_TYPE else PLATFORMS[device_type][0]
    outputs = {"database": fleet.dump, "run1": fleet.run1.stdout, "run2": fleet.run2.stdout, "run3": fleet.run3.stdout,
               "report": fleet.report,
               "results": json.dumps([fleet.results1, fleet.results2, fleet.results3])}
    for value in _secrets(fleet, device_type, patterns):
        for where, text in outputs.items():
            assert value not in text, f"{device_type}: secret {value[:6]}... in {where}"
    for where, text in outputs.items():
        assert not REENCRYPTED.search(text), f"re-encrypted value in {where}: {REENCRYPTED.search(text).group(0)[:12]}"


@pytest.mark.parametrize("device_type", _params(list(PLATFORMS) + [USER_TYPE]))
def test_only_volatile_changes_store_nothing_new(fleet, device_type):
    name = _name(device_type)
    diff = _diff_of(fleet.run2.stdout, name)
    assert fleet.results2[name].get("status") == "SUCCESS", (fleet.results2[name], _recorded(fleet, 2, name))
    assert fleet.results2[name]["changed"] is False, diff
    assert not diff
    assert len(fleet.stored2[name]) == 1
    assert len(scenario.configurations(fleet.engine, fleet.seeded.devices[name])) == 2  # run3's change is the 2nd


@pytest.mark.parametrize("device_type", _params(list(PLATFORMS) + [USER_TYPE]))
def test_a_real_change_stores_one_version_and_diff_shows_just_it(fleet, device_type):
    name = _name(device_type)
    result = fleet.results3[name]
    assert result.get("status") == "SUCCESS" and result["changed"] is True, (result, _recorded(fleet, 3, name))
    stored = fleet.stored3[name]
    assert len(stored) == 2 and stored[1]["id"] == result["config_id"]
    match = _ADDRESS.search(fleet.before_change[name])
    old, new = match.group(0), match.group(1) + "200"
    hunk = _diff_of(fleet.run3.stdout, name)
    assert hunk, fleet.run3.stdout[-2000:]
    changed = [ln for ln in hunk.splitlines() if re.match(r"^\s*[-+][^-+]", ln.strip("\"',"))]
    assert changed and all(old in ln or new in ln for ln in changed), changed


@pytest.mark.parametrize("device_type", _params([t for t, (_p, marker) in PLATFORMS.items() if marker]))
def test_session_cut_mid_output_is_failed_truncated(fleet, device_type):
    name = _name(device_type, "cut")
    row = _recorded(fleet, 1, name)
    assert row["status"] == "FAILED_TRUNCATED", (row, fleet.results1[name])
    assert row["details"]["error_type"] == "TRUNCATED" and row["details"]["error_message"], row
    assert fleet.stored1[name] == []
    assert scenario.configurations(fleet.engine, fleet.seeded.devices[name]) == []


def test_user_profile_backs_up_a_type_without_a_built_in_profile(fleet):
    name = _name(USER_TYPE)
    assert fleet.results1[name]["status"] == "SUCCESS", fleet.results1[name]
    [stored] = scenario.configurations(fleet.engine, fleet.seeded.devices[name])[:1]
    assert 'hostname "%s"' % name in stored["config_data"]
    assert "<secret:" in stored["config_data"]  # the user profile's secret rules masked it


def test_user_override_adds_a_volatile_line(fleet):
    name = _name("cisco_ios")
    # The line did change between the runs: only the override's volatile rule keeps it from counting.
    assert "snmp-server location Lab rack" in fleet.first[name] and "snmp-server location Lab rack" not in fleet.before_change[name]
    assert "snmp-server location Lab rack" in fleet.stored1[name][0]["config_data"]
    assert fleet.results2[name]["changed"] is False, fleet.results2[name]
    assert len(fleet.stored2[name]) == 1
