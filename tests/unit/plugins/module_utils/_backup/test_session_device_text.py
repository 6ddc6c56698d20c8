# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text that comes from a device: cleaned before it is stored, and a prompt-like line never ends a read.

The shared fake netmiko connection hands read_command_output its output in the chunks a network would, so the
test decides where a read ends; the PostgreSQL storability of the cleaned messages is
proven in tests/integration/test_hardening_device_text.py.
"""

from __future__ import annotations

import pytest

pytest.importorskip("netmiko")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._backup import _command_read  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._backup._command_read import read_command_output  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session import AttemptError, classify  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ErrorType  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for  # noqa: E402
from ansible_collections.netraven.netraven.tests.shared.fake_netmiko import FakeNetmikoConnection  # noqa: E402

paramiko = pytest.importorskip("paramiko")
netmiko_exceptions = pytest.importorskip("netmiko.exceptions")

PEER_TEXT = "evil\x00\x1b]0;title\x07\x1b[31mred\x7f\x85\u2028next\rline\x08"


def storable(text):
    """What PostgreSQL needs of a text value: valid UTF-8, no NUL (and, for a message, one line)."""
    text.encode("utf-8")
    return "\x00" not in text and "\n" not in text and "\r" not in text and not any(
        ord(ch) < 32 or 0x7f <= ord(ch) <= 0x9f for ch in text)


@pytest.mark.parametrize("error,phase", [
    # paramiko quotes the peer's SSH greeting (its version field) in its error.
    (paramiko.ssh_exception.IncompatiblePeer("Incompatible version (%s instead of 2.0)" % PEER_TEXT), "connect"),
    (paramiko.ssh_exception.SSHException('Indecipherable protocol version "SSH-%s"' % PEER_TEXT), "connect"),
    (netmiko_exceptions.NetmikoTimeoutException(
        "A paramiko SSHException occurred during connection creation:\n\nbanner: %s" % PEER_TEXT), "connect"),
    # netmiko's read errors quote the output they saw.
    (netmiko_exceptions.ReadTimeout("Pattern not detected: 'r1\\#' in output.\n\nThings you might try: %s" % PEER_TEXT),
     "fetch"),
    (paramiko.ssh_exception.SSHException("session: %s" % PEER_TEXT), "fetch"),
    (RuntimeError("device said %s" % PEER_TEXT), "fetch"),
])
def test_device_text_in_an_error_is_cleaned(error, phase):
    message = classify(error, phase).message
    assert storable(message), repr(message)
    assert "evil" in message and "red" in message and "next" in message


def test_every_attempt_error_message_is_cleaned():
    error = AttemptError(ErrorType.UNEXPECTED, "line one\x00\r\nline two\t\x1b[0m \ud800")
    assert error.message == str(error) == "line one line two [0m \ufffd"
    assert storable(error.message)


def test_a_secret_with_control_characters_is_scrubbed_in_both_forms():
    secret = "pa\x01ss\x00word-9"
    for text in ("auth failed for pa\x01ss\x00word-9 on r1", "auth failed for password-9 on r1"):
        message = classify(RuntimeError(text), "fetch", secrets=(secret,)).message
        assert "pass" not in message and "word-9" not in message and "********" in message, message


def test_a_secret_is_scrubbed_before_the_message_is_cut():
    secret = "Sup3r-Secret-Passphrase"
    message = classify(RuntimeError("x" * 390 + secret), "fetch", secrets=(secret,)).message
    assert "Sup3r" not in message and len(message) <= 400 + len("RuntimeError: ")


@pytest.fixture
def fast_polls(monkeypatch):
    monkeypatch.setattr(_command_read, "POLL_SECONDS", 0.001)
    monkeypatch.setattr(_command_read, "PROMPT_QUIET_SECONDS", 0.05, raising=False)


def test_a_configuration_line_like_the_prompt_at_the_end_of_a_read_does_not_end_it(fast_polls):
    """The chunk ends right after a line 'r1#' of the configuration (a banner, say): the rest still comes."""
    chunks = ["show running-config\r\nhostname r1\r\nbanner motd ^C\r\nr1#", "\r\n^C\r\ninterface Gi0/1\r\n",
              " description uplink to r1 #", "\r\nend\r\nr1#"]
    output = read_command_output(FakeNetmikoConnection(chunks), "show running-config", timeout=5)
    assert output.split("\n") == ["hostname r1", "banner motd ^C", "r1#", "^C", "interface Gi0/1",
                                  " description uplink to r1 #", "end"]


def test_the_prompt_text_inside_a_line_never_ends_a_read(fast_polls, monkeypatch):
    """Mid-line 'r1 ... #' at the end of every read: only the prompt on a line of its own ends it."""
    monkeypatch.setattr(_command_read, "PROMPT_QUIET_SECONDS", 10, raising=False)  # a mid-line match must not even start the wait
    chunks = ["show version\r\n", "uptime of r1 is 3 weeks #", "\r\nr1#"]
    started = _command_read.time.monotonic()
    with pytest.raises(AttemptError) as error:  # no prompt on a line of its own within the timeout
        read_command_output(FakeNetmikoConnection(chunks[:2]), "show version", timeout=0.3)
    assert error.value.error_type == ErrorType.TIMEOUT
    assert _command_read.time.monotonic() - started < 5
    monkeypatch.setattr(_command_read, "PROMPT_QUIET_SECONDS", 0.05, raising=False)
    assert read_command_output(FakeNetmikoConnection(chunks), "show version", timeout=5) == "uptime of r1 is 3 weeks #"


def test_the_prompt_on_its_own_line_ends_the_read_once_the_channel_is_quiet(fast_polls):
    connection = FakeNetmikoConnection(["show clock\r\n12:00:00 UTC\r\n\x1b[1mr1(config)#  "])
    assert read_command_output(connection, "show clock", timeout=5) == "12:00:00 UTC"
    assert connection.written == ["show clock\n"]


def test_a_prompt_right_after_the_proper_end_ends_the_read_without_the_quiet_wait(fast_polls, monkeypatch):
    """With the profile's end marker seen before the prompt, the read needs no quiet period."""
    monkeypatch.setattr(_command_read, "PROMPT_QUIET_SECONDS", 30, raising=False)
    ios = profile_for("cisco_ios")
    chunks = ["show running-config\r\nhostname r1\r\n", "interface Gi0/1\r\nend\r\n", "r1#"]
    started = _command_read.time.monotonic()
    output = read_command_output(FakeNetmikoConnection(chunks), "show running-config", timeout=60, ended=ios.end_found)
    assert _command_read.time.monotonic() - started < 5
    assert output.split("\n") == ["hostname r1", "interface Gi0/1", "end"]


def test_a_prompt_like_line_before_the_end_still_waits_for_the_rest(fast_polls):
    """A banner line 'r1#' ending a read is not after the end marker: the read goes on to the real end."""
    ios = profile_for("cisco_ios")
    chunks = ["show running-config\r\nhostname r1\r\nbanner motd ^C\r\nr1#", "\r\n^C\r\nend\r\nr1#"]
    output = read_command_output(FakeNetmikoConnection(chunks), "show running-config", timeout=5, ended=ios.end_found)
    assert output.split("\n") == ["hostname r1", "banner motd ^C", "r1#", "^C", "end"]


@pytest.mark.parametrize("seen, base, prompt", [
    ("vrp1>", "rp1", "vrp1>"),  # Huawei's driver strips the first character of a prompt it expects as <host>
    ("[~HUAWEI]", "~HUAWEI", "[*HUAWEI]"),  # VRP8's configuration-state marker changed
    ("[admin@mt1] > ", "admin@mt1", "[admin@mt1] > "),
])
def test_the_read_ends_on_the_prompt_the_device_showed(fast_polls, seen, base, prompt):
    chunks = ["display current-configuration\r\n#\r\nsysname x\r\nreturn\r\n", prompt]
    connection = FakeNetmikoConnection(chunks, prompt=seen, base_prompt=base)
    started = _command_read.time.monotonic()
    output = read_command_output(connection, "display current-configuration", timeout=5)
    assert _command_read.time.monotonic() - started < 2
    assert output.split("\n")[:3] == ["#", "sysname x", "return"]


def test_the_timeout_counts_silence_so_a_steady_stream_longer_than_it_is_read_whole(fast_polls):
    lines = ["show running-config\r\n"] + ["line %04d\r\n" % n for n in range(40)] + ["end\r\nr1#"]
    connection = FakeNetmikoConnection(lines, every=0.02)  # 0.84 s in all, never 0.3 s of silence
    output = read_command_output(connection, "show running-config", timeout=0.3)
    assert output.split("\n")[-2:] == ["line 0039", "end"]


def test_a_device_that_never_stops_talking_meets_the_overall_cap(fast_polls, monkeypatch):
    monkeypatch.setattr(_command_read, "READ_CAP_FACTOR", 2)
    connection = FakeNetmikoConnection(["show running-config\r\n"] + ["x" * 80 + "\r\n"] * 10000, every=0.01)
    with pytest.raises(AttemptError) as error:
        read_command_output(connection, "show running-config", timeout=0.3)
    assert error.value.error_type == ErrorType.TIMEOUT and "cap of 2 x command_timeout" in error.value.message


def test_silence_after_the_last_byte_times_out_naming_the_command(fast_polls):
    with pytest.raises(AttemptError) as error:
        read_command_output(FakeNetmikoConnection(["show running-config\r\nhostname r1\r\n"]), "show running-config", timeout=0.2)
    assert error.value.error_type == ErrorType.TIMEOUT and "after 'show running-config'" in error.value.message


@pytest.mark.parametrize("pager, erase", [
    (" --More-- ", "\x08" * 10 + " " * 10 + "\x08" * 10),  # IOS, EOS
    ("  ---- More ----", "\x1b[42D" + " " * 42 + "\x1b[42D"),  # Huawei
    ("---(more 45%)---", "\r" + " " * 16 + "\r"),  # JunOS
    ("-- MORE --, next page: Space, next line: Enter, quit: Control-C", "\x1b[2K\r"),  # ProCurve
])
def test_a_pager_that_stays_on_is_answered_and_leaves_no_trace(fast_polls, pager, erase):
    page = "".join("interface Gi0/%d\r\n" % n for n in range(20))
    chunks = ["show running-config\r\n", page + pager, erase + page, pager, erase + "end\r\nr1#"]
    connection = FakeNetmikoConnection(chunks)
    output = read_command_output(connection, "show running-config", timeout=5)
    assert connection.written == ["show running-config\n", " ", " "]
    assert output == (page + page).replace("\r\n", "\n") + "end"
