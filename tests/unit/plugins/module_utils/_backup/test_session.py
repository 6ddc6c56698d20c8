"""Classification of netmiko/paramiko failures: only a rejected login moves to the next credential."""

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._backup._session import classify
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import DeviceStatus, ErrorType

netmiko_exceptions = pytest.importorskip("netmiko.exceptions")
paramiko = pytest.importorskip("paramiko")

SECRET = "Sup3r-Secret!"


@pytest.mark.parametrize("error,phase,error_type,status", [
    (netmiko_exceptions.NetmikoAuthenticationException("Authentication to device failed.\n" + SECRET),
     "connect", ErrorType.AUTH, DeviceStatus.FAILED_AUTH),
    (netmiko_exceptions.NetmikoTimeoutException("TCP connection to device failed.\n\nCommon causes"),
     "connect", ErrorType.UNREACHABLE, DeviceStatus.FAILED_UNREACHABLE),
    (netmiko_exceptions.NetmikoTimeoutException(
        "\nA paramiko SSHException occurred during connection creation:\n\nIncompatible ssh peer (no acceptable kex algorithm)\n"),
     "connect", ErrorType.SSH, DeviceStatus.FAILED_SSH),
    (netmiko_exceptions.NetmikoTimeoutException(
        "\nA paramiko SSHException occurred during connection creation:\n\nError reading SSH protocol banner\n"),
     "connect", ErrorType.TIMEOUT, DeviceStatus.FAILED_TIMEOUT),
    (netmiko_exceptions.ReadTimeout("Pattern not detected: 'core\\#' in output."),
     "fetch", ErrorType.TIMEOUT, DeviceStatus.FAILED_TIMEOUT),
    (netmiko_exceptions.NetmikoTimeoutException(
        "\nA paramiko SSHException occurred during connection creation:\n\nServer '[10.0.0.1]:22' not found in known_hosts\n"),
     "connect", ErrorType.SSH, DeviceStatus.FAILED_SSH),
    (OSError("Socket is closed"), "fetch", ErrorType.TRUNCATED, DeviceStatus.FAILED_TRUNCATED),
    (EOFError(), "fetch", ErrorType.TRUNCATED, DeviceStatus.FAILED_TRUNCATED),
    (paramiko.ssh_exception.SSHException("Incompatible ssh peer"), "connect", ErrorType.SSH, DeviceStatus.FAILED_SSH),
    (ValueError("odd " + SECRET), "fetch", ErrorType.UNEXPECTED, DeviceStatus.FAILED_UNEXPECTED),
])
def test_classification(error, phase, error_type, status):
    result = classify(error, phase, secrets=(SECRET,))
    assert result.error_type == error_type
    assert result.status == status
    assert SECRET not in result.message
    assert "\n" not in result.message


@pytest.mark.parametrize("text, error_type, words", [
    # What netmiko makes of paramiko's AuthenticationException("Authentication timeout."): a slow TACACS/ISE.
    ("Authentication to device failed.\n\nCommon causes...\nAuthentication timeout.", ErrorType.TIMEOUT, "timed out"),
    ("Authentication to device failed.\n\nCommon causes...\ntransport shut down or saw EOF", ErrorType.SSH,
     "closed the connection during authentication"),
    ("Login failed: the device refused the telnet login", ErrorType.AUTH, "rejected"),
])
def test_only_an_explicit_refusal_of_the_login_is_a_rejection(text, error_type, words):
    result = classify(netmiko_exceptions.NetmikoAuthenticationException(text), "connect")
    assert (result.error_type, words in result.message.lower()) == (error_type, True), result.message


def test_a_negotiation_failure_names_legacy_ssh_unless_the_device_has_it():
    error = netmiko_exceptions.NetmikoTimeoutException(
        "\nA paramiko SSHException occurred during connection creation:\n\nIncompatible ssh peer (no acceptable host key)\n")
    modern, legacy = classify(error, "connect"), classify(error, "connect", legacy=True)
    assert modern.error_type == legacy.error_type == ErrorType.SSH
    assert "set legacy_ssh for this device" in modern.message and "legacy_ssh" not in legacy.message
