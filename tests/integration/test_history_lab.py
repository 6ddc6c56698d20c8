"""Configuration history through the device lab: real playbooks/backup.yml runs, then config_info, the lookup,
reveal, the restore example (docs/history/restore.yml) and rekey, on SQLite and PostgreSQL.

One fleet per backend: three IOS devices; hist-r1's configuration carries plaintext secrets and a
templated string. Back up (at -vvvv), add a line to hist-r1 in the lab, back up again, then read the
history every way (tests/integration/playbooks/history/read.yml, -vvvv), restore both versions
through the example playbook (reveal under no_log, -vvvv), rekey to a new passphrase, and restore
again with the new passphrase alone. The tests then check what each step returned, wrote and printed.
"""

import json
import os
import re
import stat

import pytest
import sqlalchemy as sa

from devicelab import Lab  # pylint: disable=import-error

from _ansible import ansible_env  # pylint: disable=import-error
from _databases import TEST_KEY, require_pg  # pylint: disable=import-error
from _jobs_support import REPO_ROOT, run_playbook, seed, write_inventory  # pylint: disable=import-error
from _manage_helpers import dump_database, run_playbook as run_manage_playbook  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import DeviceConfiguration

pytestmark = [pytest.mark.lab, pytest.mark.slow]

NEW_KEY = "rotated-history-passphrase"
LOGIN = {"username": "histops", "password": "Hist-Login-Pa55!", "privilege": 15}
SECRETS = ("Hist-Enable-Plain-9", "Hist-User-Plain-7", "Hist-Comm-Plain-5", LOGIN["password"])
ADDED = "logging host 192.0.2.77"
RESTORE = os.path.join(REPO_ROOT, "docs", "history", "restore.yml")
READ = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "history", "read.yml")


def _body(marker):
    return ("hostname hist-r1\n!\nenable secret 0 Hist-Enable-Plain-9\n"
            "username backup privilege 15 password 0 Hist-User-Plain-7\n!\n"
            "snmp-server community Hist-Comm-Plain-5 RO\n!\n"
            "banner motd ^C{{ lookup('pipe', 'touch %s') }}^C\n!\n"
            "interface GigabitEthernet1\n description uplink\n!\nntp server 192.0.2.123\n!" % marker)


def _ansible(env, playbook, *args):
    """A localhost playbook (the implicit localhost runs modules with the controller's Python), at -vvv or more."""
    return run_manage_playbook(playbook, env, *args)


class History:
    """What the runs returned, wrote and printed."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    @property
    def results(self):
        assert self.read.returncode == 0, self.read.stdout[-3000:] + self.read.stderr[-2000:]
        return json.loads(self.results_path.read_text())

    @property
    def lookup_text(self):
        return self.lookup_path.read_text()

    @property
    def rekey(self):
        assert self.rekeyed.returncode == 0, self.rekeyed.stdout[-3000:]
        return json.loads(self.rekey_path.read_text())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def history(request, database_factories, tmp_path_factory):
    if request.param == "postgresql":
        require_pg()
    workdir = tmp_path_factory.mktemp("history-" + request.param)
    url = database_factories[request.param].new_url()
    marker = workdir / "templated-marker"
    specs = [{"name": "hist-r1", "platform": "cisco_ios", "credentials": [LOGIN], "config": _body(marker)},
             {"name": "hist-r2", "platform": "cisco_ios", "credentials": [LOGIN]},
             {"name": "hist-r3", "platform": "cisco_ios", "credentials": [LOGIN]}]
    lab = Lab(specs).start()
    outputs = []

    def keep(process):
        outputs.append(process.stdout + process.stderr)
        return process

    try:
        seed(url, TEST_KEY, [{"hostname": s["name"], "ip_address": lab.address(s["name"]), "port": lab.port(s["name"]),
                              "tags": ["lab"]} for s in specs],
             [dict(LOGIN, name="histops", tags=["lab"])])
        inventory = write_inventory(workdir / "inventory.yml", url)
        env = ansible_env(workdir, url, TEST_KEY)
        env.pop("NETRAVEN_ENCRYPTION_OLD_KEYS", None)
        reports = [workdir / "report1.html", workdir / "report2.html"]
        first = keep(run_playbook(dict(env, ANSIBLE_VERBOSITY="4"), inventory, {"netraven_report_path": str(reports[0])}))
        sent_first = lab.sent_configs("hist-r1")
        lab.set_config("hist-r1", extra_lines=[ADDED])
        second = keep(run_playbook(dict(env, ANSIBLE_VERBOSITY="4"), inventory, {"netraven_report_path": str(reports[1])}))
        sent_second = lab.sent_configs("hist-r1")[len(sent_first):]
        results = workdir / "history.json"
        read = keep(_ansible(env, READ, "-vvvv", "-e", "results_file=%s" % results, "-e", "changed_device=hist-r1",
                             "-e", json.dumps({"new_line_regex": "^%s$" % re.escape(ADDED)})))
        restored = workdir / "restore"
        restores = [keep(_ansible(env, RESTORE, "-vvvv", "-e", "restore_device=hist-r1", "-e", "restore_dir=%s/v%d" % (
            restored, version), "-e", "restore_version=%d" % version)) for version in (1, 2)]
        engine = create_db_engine(url)
        with engine.connect() as connection:
            tokens = [row.original for row in connection.execute(
                sa.select(DeviceConfiguration.original).order_by(DeviceConfiguration.id))]
        engine.dispose()
        dump_before_rekey = dump_database(url)
        rekey_results = workdir / "rekey.json"
        rekeyed = keep(run_manage_playbook("rekey.yml", dict(env, NETRAVEN_ENCRYPTION_KEY=NEW_KEY,
                                                             NETRAVEN_ENCRYPTION_OLD_KEYS=TEST_KEY),
                                           "-e", "results_file=%s" % rekey_results))
        new_only = dict(env, NETRAVEN_ENCRYPTION_KEY=NEW_KEY)
        after_rekey = keep(_ansible(new_only, RESTORE, "-e", "restore_device=hist-r1", "-e",
                                    "restore_dir=%s/rekeyed" % restored))
        old_only = keep(_ansible(env, RESTORE, "-e", "restore_device=hist-r1", "-e", "restore_dir=%s/old" % restored))
        yield History(url=url, lab=lab, first=first, second=second, read=read, restores=restores, rekeyed=rekeyed,
                      after_rekey=after_rekey, old_only=old_only, results_path=results,
                      lookup_path=workdir / "history.json.text", marker=marker, restored=restored,
                      sent_first=sent_first, sent_second=sent_second, tokens=tokens, reports=reports,
                      dump_before_rekey=dump_before_rekey, rekey_path=rekey_results,
                      outputs=outputs, backend=request.param)
    finally:
        lab.stop()


def test_two_backups_store_two_versions_and_the_diff_is_the_changed_line(history):
    assert history.first.returncode == 0, history.first.stdout[-3000:]
    assert history.second.returncode == 0, history.second.stdout[-3000:]
    assert history.read.returncode == 0, history.read.stdout[-3000:]
    data = history.results
    versions = data["versions"]["versions"]
    assert len(versions) == 2 and data["versions"]["changed"] is False
    assert data["previous"]["config_id"] == versions[1]["config_id"] and ADDED not in data["previous"]["config"]
    assert "<secret:" in data["previous"]["config"]
    changed = [line for line in data["change"]["unified_diff"].splitlines()[2:] if line[:1] in "+-"]
    assert changed == ["+" + ADDED]
    assert data["change"]["diff_stats"] == {"added": 1, "removed": 0}


def test_search_finds_the_new_line_on_that_device_only_and_absent_lists_the_others(history):
    data = history.results
    assert [(m["hostname"], [line["line"] for line in m["lines"]]) for m in data["found"]["matches"]] == [
        ("hist-r1", [ADDED])]
    assert [m["hostname"] for m in data["missing"]["matches"]] == ["hist-r2", "hist-r3"]


def test_the_lookup_returns_the_latest_text_and_its_template_stays_inert(history):
    data = history.results
    latest = data["latest"]
    assert ADDED in latest and "{{ lookup('pipe', 'touch %s') }}" % history.marker in latest
    assert history.lookup_text == latest
    assert data["both"] == [data["previous"]["config"]] * 2
    assert not history.marker.exists()


def _restored(history, name):
    path = history.restored / name / "hist-r1.cfg"
    return path, path.read_bytes()


def test_reveal_returns_the_original_byte_for_byte_as_the_lab_sent_it(history):
    for process in history.restores:
        assert process.returncode == 0, process.stdout[-3000:]
    latest_path, latest = _restored(history, "v1")
    previous_path, previous = _restored(history, "v2")
    assert stat.S_IMODE(os.stat(latest_path).st_mode) == 0o600 and stat.S_IMODE(os.stat(previous_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(latest_path.parent).st_mode) == 0o700
    # What netmiko read is the lab's text without its last newline (the prompt follows it).
    assert previous.decode("utf-8") in [text.rstrip("\n") for text in history.sent_first]
    assert latest.decode("utf-8") in [text.rstrip("\n") for text in history.sent_second]
    assert ADDED in latest.decode() and ADDED not in previous.decode()
    for secret in SECRETS[:3]:
        assert secret in latest.decode() and secret in previous.decode()


def test_after_rekey_the_new_passphrase_alone_opens_the_originals(history):
    assert history.rekeyed.returncode == 0, history.rekeyed.stdout[-3000:]
    assert (history.rekey["originals_rekeyed"], history.rekey["originals_total"]) == (4, 4)
    assert history.after_rekey.returncode == 0, history.after_rekey.stdout[-3000:]
    assert _restored(history, "rekeyed")[1] == _restored(history, "v1")[1]
    assert history.old_only.returncode != 0
    # The rekey recorded the new key: the old one is refused before anything opens.
    assert "NETRAVEN_ENCRYPTION_KEY does not match the key this install records" in history.old_only.stdout
    assert "Traceback" not in history.old_only.stdout + history.old_only.stderr


def test_no_plaintext_secret_and_no_sealed_original_in_any_output(history):
    """Every output at -vvvv (backups, history reads, reveal under no_log), the reports, and every DB column but original."""
    texts = list(history.outputs) + [report.read_text() for report in history.reports]
    engine = create_db_engine(history.url)
    with engine.connect() as connection:
        others = [c.name for c in DeviceConfiguration.__table__.columns if c.name != "original"]
        configs = connection.execute(sa.select(*[DeviceConfiguration.__table__.c[name] for name in others])).all()
    engine.dispose()
    texts.append(repr(configs))
    dump = [line for line in history.dump_before_rekey.splitlines() if not line.startswith("device_configurations ")]
    texts.append("\n".join(dump))
    assert len(history.outputs) >= 8 and all(len(text) > 100 for text in history.outputs)
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
        for token in history.tokens:
            assert token and token not in text and token[:40] not in text
    assert "Hist-Enable-Plain-9" in _restored(history, "v1")[1].decode()  # the secrets were there to be found


def test_docs_show_the_restore_example_verbatim():
    """docs/history.md quotes both example playbooks as they are, so the documented restore is the tested one."""
    import yaml  # pylint: disable=import-outside-toplevel
    with open(os.path.join(REPO_ROOT, "docs", "history.md"), encoding="utf-8") as stream:
        doc = stream.read()
    apply_path = os.path.join(REPO_ROOT, "docs", "history", "restore_apply.yml")
    for path in (RESTORE, apply_path):
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
        assert "```yaml\n%s```" % text in doc, path
    with open(apply_path, encoding="utf-8") as stream:
        [play] = yaml.safe_load(stream)
    assert play["tasks"][0]["cisco.ios.ios_config"]["src"] == "{{ restore_dir }}/{{ restore_device }}.cfg"
