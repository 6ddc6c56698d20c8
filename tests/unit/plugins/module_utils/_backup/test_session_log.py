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
    sink = open_session_log(str(path), profile_for("cisco_ios").masker())
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


KEY = b"session-log-key-0123456789abcdef"
FORTIOS = ('fw1 # show | grep .\r\nconfig system snmp community\r\n    edit 1\r\n        set name "S3cretCommunity"\r\n'
           "        config hosts\r\n            edit 1\r\n                set ip 192.0.2.1 255.255.255.255\r\n            next\r\n"
           "        end\r\n    next\r\nend\r\nconfig vpn certificate local\r\n    edit \"c\"\r\n"
           '        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----\r\nMIIFKeyBodyLineOne0123456789\r\n'
           'KeyBodyLineTwo9876543210==\r\n-----END ENCRYPTED PRIVATE KEY-----"\r\n    next\r\nend\r\nfw1 # ')
ROUTEROS = ("[ops@r1] > /export show-sensitive\r\n/snmp community\r\nset [ find default=yes ] name=RosCommunity99\r\n"
            "/radius\r\nadd address=192.0.2.18 comment=\"long comment\" secret=\\\r\n    RadWrapSecret77 service=login\r\n"
            "/system identity\r\nset name=r1\r\n[ops@r1] > ")


def _logged(path, profile, text, chunk):
    sink = open_session_log(str(path), profile.masker(KEY))
    log = netmiko_session_log.SessionLog(buffered_io=sink, no_log={"password": LOGIN_PASSWORD})
    for start in range(0, len(text), chunk):
        log.write(text[start:start + chunk])
    log.close()
    sink.close()
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("chunk", [1, 2, 5, 13, 4096])
@pytest.mark.parametrize("device_type,text,secrets", [
    ("fortinet", FORTIOS, ["S3cretCommunity", "MIIFKeyBodyLineOne", "KeyBodyLineTwo"]),
    ("mikrotik_routeros", ROUTEROS, ["RosCommunity99", "RadWrapSecret77"]),
])
def test_the_log_is_masked_with_the_state_of_the_whole_session(tmp_path, device_type, text, secrets, chunk):
    """A section, a PEM key and a wrapped line are masked however netmiko splits its writes."""
    profile = profile_for(device_type)
    logged = _logged(tmp_path / "r1.log", profile, text, chunk)
    for secret in secrets:
        assert secret not in logged
    # The same masker as the stored copy: the same lines, the same markers.
    assert logged == profile.mask_secrets(text.replace("\r\n", "\n"), KEY)


def test_the_device_session_logs_with_its_own_profile_and_the_stored_copys_markers(tmp_path):
    """A user's profile (not a built-in) masks the log, with the keyed markers of the stored copy."""
    from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

    wlc = Profile(name="wlc", device_types=("cisco_wlc",), commands=("show run-config commands",),
                  secrets=(r"\bascii (?P<secret>\S+)",), bounded=True)
    session = DeviceSession("192.0.2.1", 22, "cisco_wlc", session_log=str(tmp_path / "wlc.log"), profile=wlc,
                            marker_key=KEY)
    log = session._open_log()  # pylint: disable=protected-access
    log.write(b"radius auth add 1 192.0.2.5 1812 ascii WlcRadiusSecret\r\n(wlc) >")
    log.close()
    logged = (tmp_path / "wlc.log").read_text(encoding="utf-8")
    assert "WlcRadiusSecret" not in logged
    assert logged == wlc.mask_secrets("radius auth add 1 192.0.2.5 1812 ascii WlcRadiusSecret\n(wlc) >", KEY)
