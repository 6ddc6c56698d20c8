"""What each profile sends, against the device lab through ``ansible-playbook``.

- IOS: an account at privilege level 7 gets the whole configuration (``view full``), not the
  part its level may change (which still ends in ``end``);
- ASA: ``more system:running-config`` stores the keys ``show running-config`` prints as
  ``*****``, so a changed pre-shared key is a new version;
- RouterOS 7: ``/export show-sensitive`` stores the secrets ``/export`` leaves out;
- FortiOS: the backup changes nothing on the device (netmiko would set the console's output
  mode and back) and stores nothing netmiko set;
- JunOS: a description holding an escaped quote is a complete configuration;
- the session log holds the stored copy's masked lines (FortiOS SNMP community section and
  PEM key, RouterOS /snmp community section).
Two runs per database; between them only the ASA's pre-shared key changes.
"""

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

PASSWORD = "Plat-Cmd!lab7"
CREDENTIAL = [{"username": "cmdops", "password": PASSWORD, "privilege": 15}]
DEVICES = {
    "cmd-ios-level7": {"platform": "cisco_ios", "credentials": [dict(CREDENTIAL[0], privilege=7)]},
    "cmd-asa": {"platform": "cisco_asa", "credentials": CREDENTIAL},
    "cmd-routeros": {"platform": "mikrotik_routeros", "credentials": CREDENTIAL},
    "cmd-fortios": {"platform": "fortinet", "credentials": CREDENTIAL},
    "cmd-junos": {"platform": "juniper_junos", "credentials": CREDENTIAL,
                  "extra_config": ['interfaces { ge-0/0/9 { description "19\\" rack, shelf 2"; } }']},
}
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=BACKENDS)
def runs(request, database_factories, tmp_path_factory):
    if request.param == "postgresql":
        require_pg()
    workdir = tmp_path_factory.mktemp("commands-" + request.param)
    url = database_factories[request.param].new_url()
    lab = Lab([dict(spec, name=name, enable_secret=PASSWORD) for name, spec in DEVICES.items()]).start()
    try:
        devices = [{"hostname": n, "ip_address": lab.address(n), "port": lab.port(n), "device_type": spec["platform"],
                    "tags": ["cmd"]} for n, spec in DEVICES.items()]
        seeded = seed(url, credentials=[{"name": "cmdops", "username": "cmdops", "password": PASSWORD, "priority": 10,
                                         "tags": ["cmd"]}],
                      devices=devices, jobs=[{"name": j, "tags": ["cmd"]} for j in ("run1", "run2")], key=TEST_KEY)
        inventory = workdir / "lab.netraven.yml"
        inventory.write_text("plugin: netraven.netraven.netraven\n", encoding="utf-8")
        env = ansible_env(workdir, url, TEST_KEY)
        engine = create_db_engine(url)
        psk = re.search(r"pre-shared-key (\S+)", lab.config("cmd-asa")).group(1)
        out = {}
        for label in ("run1", "run2"):
            if label == "run2":
                lab.set_config("cmd-asa", text=lab.config("cmd-asa").replace(psk, psk + "-rotated"))
            tree, logs = workdir / ("tree-" + label), workdir / ("logs-" + label)
            proc = ansible_playbook(with_tree_results(env, tree), "netraven.netraven.backup", inventory,
                                    "-e", "netraven_job_id=%d" % seeded.jobs[label], "-f", "5",
                                    "-e", "netraven_connect_timeout=10", "-e", "netraven_command_timeout=30",
                                    "-e", "netraven_session_log_dir=%s" % logs)
            logged = {n: (logs / (n + ".log")).read_text(encoding="utf-8") for n in DEVICES if (logs / (n + ".log")).exists()}
            out[label] = (proc, read_tree_results(tree), logged)
        stored = {n: scenario.configurations(engine, seeded.devices[n]) for n in DEVICES}
        yield SimpleNamespace(lab=lab, stored=stored, psk=psk, run1=out["run1"], run2=out["run2"], dump=scenario.dump_all(engine))
        engine.dispose()
    finally:
        lab.stop()


def _first(runs, name):
    return runs.stored[name][0]["config_data"]


@pytest.mark.parametrize("name", sorted(DEVICES))
def test_every_device_succeeds(runs, name):
    for proc, results, _logs in (runs.run1, runs.run2):
        assert results[name].get("status") == "SUCCESS", (results[name], proc.stdout[-2000:])


def test_ios_at_an_intermediate_level_stores_the_whole_configuration(runs):
    stored = _first(runs, "cmd-ios-level7")
    for line in ("router ospf 1", "hostname cmd-ios-level7", "line vty 0 4"):
        assert line in stored, stored[:600]
    assert re.search(r"^snmp-server community <secret:[0-9a-f]{16}> RO$", stored, re.M)


def test_asa_stores_its_keys_and_sees_a_changed_pre_shared_key(runs):
    stored = runs.stored["cmd-asa"]
    assert "*****" not in stored[0]["config_data"]
    assert re.search(r"^ ikev1 pre-shared-key <secret:[0-9a-f]{16}>$", stored[0]["config_data"], re.M)
    assert re.search(r"^ key <secret:[0-9a-f]{16}>$", stored[0]["config_data"], re.M)
    assert runs.run2[1]["cmd-asa"]["changed"] is True and len(stored) == 2
    changed = [(a, b) for a, b in zip(stored[0]["config_data"].split("\n"), stored[1]["config_data"].split("\n"))
               if a != b and not a.startswith((": Written by", "Cryptochecksum"))]
    assert [a.split("<")[0] for a, _b in changed] == [" ikev1 pre-shared-key "], changed
    assert runs.psk not in runs.dump


def test_routeros_stores_the_secrets_a_restore_needs(runs):
    stored = _first(runs, "cmd-routeros")
    for prop in ("password", "secret", "wpa2-pre-shared-key"):
        assert re.search(r"\b%s=<secret:[0-9a-f]{16}>" % prop, stored), prop
    assert re.search(r"^set \[ find default=yes \] name=<secret:", stored, re.M)  # the /snmp community section


def test_fortios_is_backed_up_without_a_change_and_stores_nothing_netmiko_set(runs):
    assert runs.lab.server.device("cmd-fortios").changes == []
    stored = _first(runs, "cmd-fortios")
    assert "config system console" not in stored and "set output" not in stored
    assert runs.run2[1]["cmd-fortios"]["changed"] is False


def test_junos_escaped_quotes_are_a_complete_configuration(runs):
    assert 'description "19\\" rack, shelf 2";' in _first(runs, "cmd-junos")


@pytest.mark.parametrize("name", ["cmd-fortios", "cmd-routeros"])
def test_the_session_log_holds_the_stored_copys_masked_lines(runs, name):
    """Sections (FortiOS SNMP community, RouterOS /snmp community) and a PEM key, as stored."""
    stored = _first(runs, name)
    masked = [line for line in stored.split("\n") if "<secret" in line]
    logged = set(runs.run1[2][name].split("\n"))
    assert masked and [line for line in masked if line not in logged] == []
    if name == "cmd-fortios":
        assert any('set name <secret:' in line for line in masked)
        assert any("PRIVATE KEY-----<secret:encrypted>" in line for line in masked)
        assert not re.search(r'set name "forti-ro-\d+"', runs.run1[2][name])
    else:
        assert not re.search(r"name=ros-ro-\d+", runs.run1[2][name])
