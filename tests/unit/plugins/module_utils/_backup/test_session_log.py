# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Session logs: owner-only, no link followed, and the configuration's secrets masked.

The log is driven through netmiko's own SessionLog, as a connection does, with the
output split into reads that cut a secret in two, so both netmiko's login password
filter and the line masking are exercised as they run in a backup.
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session import AttemptError, DeviceSession
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session_log import open_session_log

netmiko_session_log = pytest.importorskip("netmiko.session_log")

LOGIN_PASSWORD = "Login-Pw-9f3e"
COMMUNITY = "Community-Secret-77ab"
ENABLE = "Enable-Secret-41cd"
OUTPUT = ("router# show running-config\r\n"
          "hostname r1\r\n"
          "snmp-server community %s RO\r\n"
          "enable secret 0 %s\r\n"
          "username admin password 0 %s\r\n"
          "end\r\nrouter#" % (COMMUNITY, ENABLE, LOGIN_PASSWORD))


def _drive(path, chunk=7):
    sink = open_session_log(str(path), profile_for("cisco_ios").mask_secrets)
    log = netmiko_session_log.SessionLog(buffered_io=sink, no_log={"password": LOGIN_PASSWORD})
    for start in range(0, len(OUTPUT), chunk):
        log.write(OUTPUT[start:start + chunk])
    log.close()
    sink.close()
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("chunk", [1, 5, 7, 64, 4096])
def test_secrets_never_reach_the_session_log(tmp_path, chunk):
    old = os.umask(0o022)
    try:
        text = _drive(tmp_path / "logs" / "r1.log", chunk)
    finally:
        os.umask(old)
    for secret in (LOGIN_PASSWORD, COMMUNITY, ENABLE):
        assert secret not in text
    assert "hostname r1" in text and "snmp-server community <secret" in text and text.endswith("router#")


def test_file_0600_and_directory_0700_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        _drive(tmp_path / "logs" / "r1.log")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "logs" / "r1.log").st_mode & 0o777 == 0o600
    assert os.stat(tmp_path / "logs").st_mode & 0o777 == 0o700


def test_an_existing_readable_log_is_made_owner_only(tmp_path):
    path = tmp_path / "r1.log"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, 0o644)
    _drive(path)
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_a_planted_link_is_refused_and_its_target_untouched(tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "r1.log"
    link.symlink_to(target)
    with pytest.raises(OSError):
        open_session_log(str(link), str)
    session = DeviceSession("192.0.2.1", 22, "cisco_ios", session_log=str(link))
    with pytest.raises(AttemptError) as raised:
        session.fetch("admin", LOGIN_PASSWORD, "show running-config")
    assert "session log" in str(raised.value) and "\n" not in str(raised.value)
    assert target.read_text(encoding="utf-8") == "keep me"
