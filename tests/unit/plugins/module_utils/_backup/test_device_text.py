"""Per-platform configuration handling: completeness, volatile lines, secret masking."""

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._backup._device_text import clean_output, config_hash
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for as platform_for

KEY = b"k" * 32

IOS = """Building configuration...

Current configuration : 1234 bytes
!
! Last configuration change at 10:00:01 UTC Sun Nov 22 2026 by admin
!
hostname core-a
enable secret 5 $1$abcd$enableHash
username admin privilege 15 secret 5 $1$mERr$userHash
username ops password 7 0822455D0A16
snmp-server community n0tPublic RO
ntp clock-period 17179870
interface GigabitEthernet0/1
 description uplink
end
"""

JUNOS = """## Last commit: 2026-11-22 10:00:00 UTC by admin
system {
    host-name router-c;
    root-authentication {
        encrypted-password "$6$rootHash"; ## SECRET-DATA
    }
}
snmp {
    community s3cretComm {
        authorization read-only;
    }
}
"""


def test_ios_volatile_lines_do_not_change_the_hash():
    ios = platform_for("cisco_ios")
    later = IOS.replace("10:00:01", "11:59:59").replace("17179870", "17179999")
    assert later != IOS
    assert config_hash(ios.normalise(IOS)) == config_hash(ios.normalise(later))


def test_ios_real_change_changes_the_hash():
    ios = platform_for("cisco_ios")
    changed = IOS.replace("description uplink", "description uplink-2")
    assert config_hash(ios.normalise(IOS)) != config_hash(ios.normalise(changed))


@pytest.mark.parametrize("secret", ["$1$abcd$enableHash", "$1$mERr$userHash", "0822455D0A16", "n0tPublic"])
def test_ios_secrets_are_masked_but_lines_kept(secret):
    masked = platform_for("cisco_ios").mask_secrets(IOS, KEY)
    assert secret not in masked
    assert "username admin privilege 15 secret 5 <secret:" in masked
    assert "snmp-server community <secret:" in masked and " RO" in masked


def test_masked_secret_still_changes_the_hash_when_the_secret_changes():
    ios = platform_for("cisco_ios")
    other = IOS.replace("$1$mERr$userHash", "$1$mERr$otherHash")
    assert ios.mask_secrets(IOS, KEY) != ios.mask_secrets(other, KEY)


def test_masking_is_idempotent():
    ios = platform_for("cisco_ios")
    once = ios.mask_secrets(IOS, KEY)
    assert ios.mask_secrets(once, KEY) == once


def test_junos_secrets_masked_and_commit_line_volatile():
    junos = platform_for("juniper_junos")
    masked = junos.mask_secrets(JUNOS, KEY)
    assert "$6$rootHash" not in masked and "s3cretComm" not in masked
    later = JUNOS.replace("10:00:00", "12:00:00")
    assert config_hash(junos.normalise(JUNOS)) == config_hash(junos.normalise(later))


@pytest.mark.parametrize("device_type,text,complete", [
    ("cisco_ios", IOS, True),
    ("cisco_ios", IOS.rsplit("end", 1)[0], False),
    ("arista_eos", IOS, True),
    ("cisco_ios", "end\n", False),  # too short to be a configuration
    ("juniper_junos", JUNOS, True),
    ("juniper_junos", JUNOS[: JUNOS.index("snmp {") + 20], False),
])
def test_completeness(device_type, text, complete):
    assert platform_for(device_type).is_complete(text) is complete


def test_unknown_platform_has_no_profile():
    assert platform_for("nokia_sros") is None
    assert platform_for("juniper_junos").command == "show configuration"


def test_clean_output_drops_control_bytes():
    assert clean_output("a\x00b\r\nc\x1b[0m") == "ab\nc[0m"
