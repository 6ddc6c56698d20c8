"""``ansible-playbook netraven.netraven.check_platform``: a profile checked against a saved output.

The captures are what the device lab's FortiGate and EdgeSwitch print for their configuration
command, saved to a file as a user would save a session; no device and no database is involved.
"""

import re

from devicelab import vendor_configs  # pylint: disable=import-error
from devicelab.spec import lab_from_data  # pylint: disable=import-error

from _ansible import ansible_env, ansible_playbook  # pylint: disable=import-error
from _databases import TEST_KEY  # pylint: disable=import-error

USER_FILE = """profiles:
  edgeswitch:
    device_types: [ubiquiti_edgeswitch]
    commands: [show running-config]
    end: '^exit$'
    volatile: ['^!System Up Time', '^!Current SNTP Synchronized Time:']
    secrets: ['^username "\\S+" password (?P<secret>\\S+)', '^snmp-server community "(?P<secret>[^"]+)',
              '^radius server key auth \\S+ encrypted (?P<secret>\\S+)']
"""


def _capture(platform):
    spec = lab_from_data([{"name": "chk-" + platform.replace("_", "-"), "platform": platform,
                           "credentials": [{"username": "ops", "password": "Chk!pass1", "privilege": 15}]}]).devices[0]
    body, render = vendor_configs.BODIES[platform]
    return render(body(spec), 1700000000, spec)


def _check(tmp_path, platform, text, *extra):
    saved = tmp_path / ("%s.txt" % platform)
    saved.write_text(text, encoding="utf-8")
    env = ansible_env(tmp_path, "sqlite:///" + str(tmp_path / "unused.db"), TEST_KEY)
    empty = tmp_path / "empty.ini"  # the implicit localhost: the controller's own Python
    empty.write_text("", encoding="utf-8")
    proc = ansible_playbook(env, "netraven.netraven.check_platform", empty, "-e", "netraven_platform=" + platform,
                            "-e", "netraven_output_file=%s" % saved, *extra)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc.stdout


def test_fortios_capture_is_masked_and_its_volatile_lines_listed(tmp_path):
    text = _capture("fortinet")
    out = _check(tmp_path, "fortinet", text)
    assert "profile fortios (show | grep .)" in out
    assert "end marker ^end$: found" in out and "complete (a backup would store it): True" in out
    masked = int(re.search(r"secrets masked: (\d+)", out).group(1))
    assert masked >= 5, out  # admin hash, radius secret, certificate password + private key, IPsec PSK
    assert "volatile lines dropped: 4" in out and "#conf_file_ver=" in out
    for value in re.findall(r"ENC (\S+)", text) + re.findall(r'set name "(forti-ro-\d+)"', text):
        assert value not in out, value[:8]
    assert "set psksecret ENC <secret:encrypted>" in out


def test_a_cut_capture_is_reported_incomplete(tmp_path):
    text = _capture("huawei")
    out = _check(tmp_path, "huawei", text.rsplit("#", 3)[0])
    assert "end marker ^return$: NOT found" in out and "complete (a backup would store it): False" in out


def test_a_user_profile_from_the_platforms_file(tmp_path):
    platforms = tmp_path / "platforms.yml"
    platforms.write_text(USER_FILE, encoding="utf-8")
    text = _capture("ubiquiti_edgeswitch")
    out = _check(tmp_path, "ubiquiti_edgeswitch", text, "-e", "netraven_platforms_file=%s" % platforms)
    assert "profile edgeswitch (show running-config)" in out and "end marker ^exit$: found" in out
    assert "secrets masked: 3" in out and "volatile lines dropped: 2" in out
    for value in re.findall(r'password (\S+) level|encrypted (\S+)$|community "([^"]+)"', text, re.M):
        for part in filter(None, value):
            assert part not in out, part[:8]


def test_every_real_capture_through_platform_check(tmp_path):
    """``platform_check`` over every capture of tests/captures: complete, and the secrets the note counts."""
    import json
    import os

    from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for
    from ansible_collections.netraven.netraven.tests.captures.corpus import load_all

    captures = [c for c in load_all() if c.secrets_masked is not None]
    items = []
    for capture in captures:
        saved = tmp_path / (capture.name.replace("/", "-") + ".txt")
        saved.write_text(capture.output(profile_for(capture.device_type).commands[-1]), encoding="utf-8")
        items.append({"name": capture.name, "platform": capture.device_type, "file": str(saved)})
    extra = tmp_path / "captures.json"
    results = tmp_path / "results.json"
    extra.write_text(json.dumps({"netraven_captures": items, "netraven_check_results": str(results)}), encoding="utf-8")
    env = ansible_env(tmp_path, "sqlite:///" + str(tmp_path / "unused.db"), TEST_KEY)
    empty = tmp_path / "empty.ini"
    empty.write_text("", encoding="utf-8")
    playbook = os.path.join(os.path.dirname(__file__), "playbooks", "platforms", "check_captures.yml")
    proc = ansible_playbook(env, playbook, empty, "-e", "@%s" % extra)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    found = json.loads(results.read_text(encoding="utf-8"))
    assert {c.name: tuple(f) for c, f in zip(captures, found)} == {c.name: (c.secrets_masked, True) for c in captures}
