# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a profile asks of the session: a command it may fall back from, a terminal left unchanged."""

from __future__ import annotations

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._backup import _command_read, _session
from ansible_collections.netraven.netraven.plugins.module_utils._backup._netmiko_driver import connection_class
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session import DeviceSession
from ansible_collections.netraven.netraven.plugins.module_utils._backup._unchanged_terminal import (
    unchanged_terminal_driver,
)
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for
from ansible_collections.netraven.netraven.tests.shared.fake_netmiko import FakeNetmikoConnection

pytest.importorskip("netmiko")

CONFIG = "Building configuration...\r\n\r\nhostname r1\r\n!\r\ninterface Gi0/1\r\n description uplink to core\r\n!\r\nend\r\n"
REFUSED = "                          ^\r\n% Invalid input detected at '^' marker.\r\n"


@pytest.fixture
def fast_polls(monkeypatch):
    monkeypatch.setattr(_command_read, "POLL_SECONDS", 0.001)
    monkeypatch.setattr(_command_read, "PROMPT_QUIET_SECONDS", 0.05, raising=False)


@pytest.mark.usefixtures("fast_polls")
@pytest.mark.parametrize("answers,sent", [
    ({"show running-config view full": REFUSED, "show running-config": CONFIG},
     ["show running-config view full", "show running-config"]),
    ({"show running-config view full": CONFIG}, ["show running-config view full"]),
])
def test_ios_without_view_full_gets_the_plain_command_in_the_same_login(monkeypatch, answers, sent):
    ios = profile_for("cisco_ios")
    connection = FakeNetmikoConnection(replies={command: (text,) for command, text in answers.items()})
    session = DeviceSession("192.0.2.1", 22, "cisco_ios", command_timeout=5, profile=ios)
    monkeypatch.setattr(_session, "ConnectHandler", lambda **_kwargs: connection)
    outputs, _seconds = session.fetch_all("u", "p", ios.commands, ended=ios.end_found, fallback=ios.fallback_for)
    assert [line.strip() for line in connection.written] == sent
    assert outputs[0].rstrip().endswith("end") and ios.is_complete(outputs[0])


def test_fortios_sessions_use_a_driver_that_never_touches_the_console():
    driver = unchanged_terminal_driver("fortinet")
    from netmiko.fortinet.fortinet_ssh import FortinetSSH

    assert issubclass(driver, FortinetSSH) and driver._get_output_mode(object()) == "standard"  # pylint: disable=protected-access
    assert unchanged_terminal_driver("cisco_ios") is None
    fortios = DeviceSession("192.0.2.1", 22, "fortinet", profile=profile_for("fortinet"))
    args = fortios._connect_args("u", "p", None, None, None)  # pylint: disable=protected-access
    assert args["keep_terminal"] is True and args["device_type"] == "fortinet"
    assert issubclass(connection_class("fortinet", args["keep_terminal"]), driver)
    ios = DeviceSession("192.0.2.1", 22, "cisco_ios", profile=profile_for("cisco_ios"))
    assert "keep_terminal" not in ios._connect_args("u", "p", None, None, None)  # pylint: disable=protected-access
    assert not issubclass(connection_class("fortinet"), driver)
