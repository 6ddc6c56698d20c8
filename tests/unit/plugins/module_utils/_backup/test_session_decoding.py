"""Device output decoding and device_type refusal in _backup/_session.py: no character lost between two reads, no unknown platform tried.

netmiko decodes each chunk read from the SSH channel on its own and drops what does not
decode: a multi-byte character split between two reads disappears. decode_as_stream
gives netmiko's real SSHChannel an incremental decoder instead.
"""

import types

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._backup._session import AttemptError, DeviceSession, decode_as_stream
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ErrorType
from ansible_collections.netraven.netraven.tests.shared.fake_netmiko import FakeNetmikoConnection

channel_module = pytest.importorskip("netmiko.channel")

TEXT = "description канал 链路 übergang\n"


def _split_everywhere(data):
    """One-byte chunks: every multi-byte character is split."""
    return [data[i:i + 1] for i in range(len(data))]


def _connection(chunks):
    """A connection whose netmiko SSHChannel reads these byte chunks from its paramiko channel."""
    return FakeNetmikoConnection(byte_chunks=chunks)


def _read_all(connection):
    """Poll read_channel until every chunk is consumed, as netmiko's read loops do."""
    output = ""
    while connection.channel.remote_conn.chunks:
        output += connection.channel.read_channel()
    return output


def test_netmiko_alone_loses_split_characters():
    """The bug the decoder fixes (if netmiko ever fixes it, this test says so)."""
    connection = _connection(_split_everywhere(TEXT.encode("utf-8")))
    assert _read_all(connection) == "".join(char for char in TEXT if ord(char) < 128)


def test_split_characters_survive():
    connection = _connection(_split_everywhere(TEXT.encode("utf-8")))
    decode_as_stream(connection)
    assert _read_all(connection) == TEXT


def test_a_character_split_across_polls_is_kept_for_the_next_read():
    data = "链".encode("utf-8")
    connection = _connection([data[:1]])
    decode_as_stream(connection)
    assert connection.channel.read_channel() == ""
    connection.channel.remote_conn.chunks.append(data[1:])
    assert connection.channel.read_channel() == "链"


def test_invalid_bytes_become_replacement_characters_not_silence():
    connection = _connection([b"ok \xff\xfe ok\n", b"bad tail \xc3"])
    decode_as_stream(connection)
    assert connection.channel.read_channel() == "ok \ufffd\ufffd ok\nbad tail "
    connection.channel.remote_conn.chunks.append(b"(")
    assert connection.channel.read_channel() == "\ufffd("


def test_a_closed_stream_is_still_reported():
    connection = _connection([b""])
    decode_as_stream(connection)
    with pytest.raises(Exception, match="closed"):
        connection.channel.read_channel()


def test_unknown_channel_shapes_are_left_alone():
    connection = types.SimpleNamespace(channel=None)
    decode_as_stream(connection)
    assert connection.channel is None


@pytest.mark.parametrize("device_type", ["cisco_foo", "x" * 500 + "\nsecond line"])
def test_unknown_device_type_fails_before_connecting_in_one_line(device_type):
    session = DeviceSession("192.0.2.1", 22, device_type, connect_timeout=1)
    with pytest.raises(AttemptError) as error:
        session.fetch("user", "Sup3r-Secret!", "show running-config")
    assert error.value.error_type == ErrorType.UNEXPECTED
    assert error.value.message.startswith("Unknown device_type '%s" % device_type[:20])
    assert "\n" not in error.value.message and len(error.value.message) < 200
