"""The profile check (module platform_check, playbook check_platform) over saved outputs."""

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._check import check_output

FORTIOS = """#config-version=FGVM64-7.2.5-FW-build1517-230606:opmode=0:vdom=1:user=admin
#conf_file_ver=1234567
#buildno=1517
#global_vdom=1
config global
config system admin
    edit "admin"
        set password ENC SH2nlSm9QL9tapcHPXIqAXvX7vBJuuqu22hpa0JX0sBuKIo7z2g0Kz/+0KyH4E=
    next
end
config user radius
    edit "corp"
        set server "192.0.2.18"
        set secret ENC LCVkCiK2E2PhVUzZe0eZ6rYnf8nKd3rLnnsiVqJi5RSgsdhsU6Oc7w==
    next
end
end
"""

EDGE = """!Current Configuration:
!System Up Time          "3 days 4 hrs 5 mins 6 secs"
hostname "edge1"
username "admin" password 5f4dcc3b5aa765d61d8327deb882cf99 level 15 encrypted
snmp-server community "Edge-Ro-1" ro
line console
exit
"""

USER_FILE = """profiles:
  edgeswitch:
    device_types: [ubiquiti_edgeswitch]
    commands: [show running-config]
    end: '^exit$'
    volatile: ['^!System Up Time']
    secrets: ['^username "\\S+" password (?P<secret>\\S+)', '^snmp-server community "(?P<secret>[^"]+)']
"""


def _saved(tmp_path, text, name="saved.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_built_in_profile_over_a_fortios_capture(tmp_path):
    result = check_output("fortinet", _saved(tmp_path, FORTIOS))
    assert result["profile"] == "fortios" and result["commands"] == ["show | grep ."]
    assert result["end_found"] is True and result["complete"] is True
    assert result["secrets_masked"] == 2
    assert "SH2nlSm9" not in result["stored_text"] and "LCVkCiK2" not in result["stored_text"]
    assert result["volatile_lines"] == ["#config-version=FGVM64-7.2.5-FW-build1517-230606:opmode=0:vdom=1:user=admin",
                                        "#conf_file_ver=1234567", "#buildno=1517", "#global_vdom=1"]
    assert "#conf_file_ver" not in result["normalised_text"] and "set secret ENC <secret:encrypted>" in result["normalised_text"]


def test_a_profile_name_works_like_its_device_type(tmp_path):
    assert check_output("fortios", _saved(tmp_path, FORTIOS))["profile"] == "fortios"


def test_a_capture_cut_short_is_not_complete(tmp_path):
    result = check_output("fortinet", _saved(tmp_path, FORTIOS.rsplit("end", 2)[0]))
    assert result["end_found"] is False and result["complete"] is False


def test_a_user_profile_from_a_platforms_file(tmp_path):
    platforms = _saved(tmp_path, USER_FILE, "platforms.yml")
    result = check_output("ubiquiti_edgeswitch", _saved(tmp_path, EDGE), platforms)
    assert result["profile"] == "edgeswitch" and result["end"] == "^exit$" and result["end_found"] is True
    assert result["secrets_masked"] == 2 and "Edge-Ro-1" not in result["stored_text"]
    assert result["volatile_lines"] == ['!System Up Time          "3 days 4 hrs 5 mins 6 secs"']


def test_a_profile_without_an_end_marker_says_none(tmp_path):
    result = check_output("cisco_nxos", _saved(tmp_path, "hostname nx1\n" + "interface Ethernet1/1\n  no shutdown\n" * 4))
    assert result["end_found"] is None and result["complete"] is True and result["secrets_masked"] == 0


def test_unknown_platform_and_missing_file_are_one_line(tmp_path):
    with pytest.raises(ValidationError, match="No platform profile for 'no_such_type'"):
        check_output("no_such_type", _saved(tmp_path, EDGE))
    with pytest.raises(ValidationError, match="Saved output .*missing.txt cannot be read"):
        check_output("cisco_ios", str(tmp_path / "missing.txt"))
