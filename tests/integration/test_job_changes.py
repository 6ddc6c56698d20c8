"""What changed and what went stale, through real playbooks/backup.yml runs against the device lab.

One database, one lab and two backup runs: ok1's configuration changes between them, dead1
never answers. The second run's set_stats, summary and HTML report (opened in headless
Chromium) must name exactly ok1 as changed, with its diff, and dead1 as failed and stale.
Then playbooks/notify_changes.yml mails that job to a real SMTP server on loopback (aiosmtpd).
"""

import email
import email.policy
import os

import pytest

from aiosmtpd.controller import Controller

from _community_general import community_general_path  # pylint: disable=import-error

from _hardening import custom_stats  # pylint: disable=import-error
from _jobs_support import REPO_ROOT, CREDENTIALS, LAB_SPECS, closed_port, dead_devices, run_playbook, seed, write_inventory  # pylint: disable=import-error
from test_report_screenshot import chromium, headless  # noqa: F401 pylint: disable=import-error,unused-import

pytestmark = pytest.mark.slow

ADDED = ["interface Loopback77", " description <b>added</b> between runs"]


NOTIFY = os.path.join(REPO_ROOT, "playbooks", "notify_changes.yml")


@pytest.fixture
def env(ansible_env):
    collections = community_general_path() + os.pathsep + ansible_env["ANSIBLE_COLLECTIONS_PATH"]
    return dict(ansible_env, ANSIBLE_SHOW_CUSTOM_STATS="1", ANSIBLE_COLLECTIONS_PATH=collections)


class Inbox:
    """aiosmtpd handler keeping every message that arrives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 pylint: disable=invalid-name,unused-argument
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = closed_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_changed_failed_and_stale_devices(env, db_url, device_lab, chromium, smtp, tmp_path):  # noqa: F811
    lab = device_lab(LAB_SPECS)
    devices = [{"hostname": spec["name"], "ip_address": lab.address(spec["name"]), "port": lab.port(spec["name"]),
                "device_type": spec["platform"], "tags": ["core"]} for spec in LAB_SPECS] + dead_devices(1)
    seed(db_url, env["NETRAVEN_ENCRYPTION_KEY"], devices, CREDENTIALS)
    inventory = write_inventory(tmp_path / "all.yml", db_url)
    first = run_playbook(env, inventory)
    assert first.returncode == 2, first.stdout + first.stderr
    stats = custom_stats(first.stdout)
    assert sorted((d["hostname"], d["previous_config_id"]) for d in stats["netraven_changed_devices"]) == [
        ("ok1", None), ("ok2", None)]
    previous = {d["hostname"]: d["config_id"] for d in stats["netraven_changed_devices"]}

    lab.set_config("ok1", extra_lines=ADDED)
    report = tmp_path / "job.html"
    second = run_playbook(env, inventory, {"netraven_report_path": str(report)})
    assert second.returncode == 2, second.stdout + second.stderr
    stats = custom_stats(second.stdout)
    changed = stats["netraven_changed_devices"]
    assert [(d["hostname"], d["previous_config_id"], d["added"], d["removed"]) for d in changed] == [
        ("ok1", previous["ok1"], 2, 0)]
    assert "+interface Loopback77" in changed[0]["diff"]
    assert [(d["hostname"], d["status"]) for d in stats["netraven_failed_devices"]] == [("dead1", "FAILED_UNREACHABLE")]
    assert [(d["hostname"], d["last_success"]) for d in stats["netraven_stale_devices"]] == [("dead1", None)]
    assert "  - ok1: +2 -0 lines (config %d, was %d)" % (changed[0]["config_id"], previous["ok1"]) in second.stdout
    assert "  - dead1: never backed up" in second.stdout

    dom = headless(chromium, tmp_path, "--dump-dom", "file://%s" % report)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Changed configurations (1)" in dom.stdout and "Stale devices (1)" in dom.stdout
    assert '<details class="diff">' in dom.stdout, "folded by default"
    assert "+ description &lt;b&gt;added&lt;/b&gt; between runs" in dom.stdout
    assert "<b>added</b>" not in dom.stdout

    inbox, port = smtp
    notify = run_playbook(env, inventory, {"netraven_job_id": stats["netraven_job_id"], "netraven_mail_to": "noc@example.test",
                                           "netraven_smtp_host": "127.0.0.1", "netraven_smtp_port": port},
                          playbook=NOTIFY)
    assert notify.returncode == 0, notify.stdout + notify.stderr
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["noc@example.test"]
    assert message["Subject"] == "NetRaven job %d COMPLETED_PARTIAL_FAILURE: 1 changed, 1 failed, 1 stale" % (
        stats["netraven_job_id"])
    body = message.get_body(("plain",)).get_content()
    assert "==== ok1: +2 -0 lines" in body and "+ description <b>added</b> between runs" in body
    assert "  - dead1: never backed up" in body
    for secret in {c["password"] for c in CREDENTIALS}:
        assert secret not in body and secret not in notify.stdout
