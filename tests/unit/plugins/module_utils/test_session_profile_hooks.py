"""What a profile asks of the session: a command it may fall back from, a terminal left unchanged (issue 24)."""

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._backup import _session
from ansible_collections.netraven.netraven.plugins.module_utils._backup._netmiko_driver import connection_class
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session import DeviceSession
from ansible_collections.netraven.netraven.plugins.module_utils._backup._unchanged_terminal import (
    unchanged_terminal_driver,
)
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for

from .test_device_text import FakeConnection, fast_polls  # noqa: F401 pylint: disable=unused-import

pytest.importorskip("netmiko")

CONFIG = "Building configuration...\r\n\r\nhostname r1\r\n!\r\ninterface Gi0/1\r\n description uplink to core\r\n!\r\nend\r\n"
REFUSED = "                          ^\r\n% Invalid input detected at '^' marker.\r\n"


class AnsweringConnection(FakeConnection):
    """FakeConnection answering each command written with its own output (echo, output, prompt)."""

    def __init__(self, answers):
        super().__init__([])
        self.answers = answers

    def write_channel(self, data):
        super().write_channel(data)
        command = data.strip()
        self.chunks = [command + "\r\n", self.answers.get(command, REFUSED), "r1#"]

    @staticmethod
    def check_enable_mode():
        return True

    def disconnect(self):
        pass


@pytest.mark.usefixtures("fast_polls")
@pytest.mark.parametrize("answers,sent", [
    ({"show running-config": CONFIG}, ["show running-config view full", "show running-config"]),
    ({"show running-config view full": CONFIG}, ["show running-config view full"]),
])
def test_ios_without_view_full_gets_the_plain_command_in_the_same_login(monkeypatch, answers, sent):
    ios = profile_for("cisco_ios")
    connection = AnsweringConnection(answers)
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
