"""The user's platforms file: add a device type, extend a built-in, and one line for every bad file."""

import time

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import PROFILES
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._user_file import (
    load_platforms_file,
    platforms_file_path,
)

GOOD = """
profiles:
  edgeswitch:
    device_types: [ubiquiti_edgeswitch]
    extends: generic
    commands: [show running-config]
    end: '^exit$'
    volatile: ['^!System Up Time']
    secrets: ['\\bpassword (?P<secret>\\S+)']
  site-ios:
    extends: cisco_ios
    volatile: ['^snmp-server location ']
"""


def _write(tmp_path, text):
    path = tmp_path / "platforms.yml"
    path.write_text(text)
    return str(path)


def test_adds_a_device_type_and_extends_a_built_in(tmp_path):
    registry = load_platforms_file(_write(tmp_path, GOOD))
    edge = registry["ubiquiti_edgeswitch"]
    assert edge.commands == ("show running-config",)
    assert edge.is_complete("!System Up Time 5 days\nhostname x\n" + "interface 0/1\n" * 10 + "exit")
    assert "!System Up Time" not in edge.normalise("!System Up Time 5 days\nhostname x\n")
    assert "S3cret" not in edge.mask_secrets("username admin password S3cret level 15", b"k" * 32)
    ios = registry["cisco_ios"]
    assert registry["cisco_xe"] is ios and ios.name == "site-ios"
    assert ios.normalise("hostname r1\nsnmp-server location rack 4\n") == "hostname r1\n"
    # The built-in rules are kept: the extension adds, it does not replace.
    assert len(ios.volatile) == len(PROFILES["cisco_ios"].volatile) + 1
    assert ios.secrets == PROFILES["cisco_ios"].secrets
    assert registry["arista_eos"] is PROFILES["arista_eos"]
    assert edge.blocks == "indent"


def test_a_profile_names_its_block_structure(tmp_path):
    """blocks tells compliance how sections nest: a profile may set it, and an extension keeps its base's."""
    registry = load_platforms_file(_write(tmp_path, (
        "profiles:\n  srx:\n    extends: juniper_junos\n    volatile: ['^## Image name']\n"
        "  braced-edge:\n    device_types: [ubiquiti_edgeswitch]\n    commands: [show configuration]\n"
        "    blocks: braces\n")))
    assert registry["juniper_junos"].blocks == "braces"
    assert registry["ubiquiti_edgeswitch"].blocks == "braces"
    assert PROFILES["fortinet"].blocks == "fortios" and PROFILES["cisco_ios"].blocks == "indent"


@pytest.mark.parametrize("text,culprit", [
    ("profiles:\n  p1:\n    device_types: [cisco_ios]\n    commands: [show run]\n    volatile: ['(']\n",
     "profile 'p1', field 'volatile': regex '(' does not compile"),
    ("profiles:\n  p2:\n    device_types: [cisco_ios]\n    commands: [show run]\n    colour: red\n",
     "profile 'p2': unknown field 'colour'"),
    ("profiles:\n  p3:\n    device_types: [no_such_type]\n    commands: [show run]\n",
     "profile 'p3', field 'device_types': netmiko knows no device_type 'no_such_type'"),
    ("profiles:\n  p4:\n    device_types: [cisco_ios]\n    commands: [show run]\n    secrets: ['password \\\\S+']\n",
     "profile 'p4', field 'secrets': regex"),
    ("profiles:\n  p5:\n    extends: nothing_like_it\n", "profile 'p5', field 'extends'"),
    ("profiles:\n  p6:\n    device_types: [cisco_ios]\n", "profile 'p6': field 'commands' is required"),
    ("profiles:\n  p8:\n    extends: cisco_ios\n    blocks: curly\n",
     "profile 'p8', field 'blocks': must be one of indent, braces, fortios, not 'curly'"),
    ("profiles: [a, b]\n", "must be a mapping with one key, 'profiles'"),
    ("profiles:\n  p7: {\n", "is not valid YAML at line"),
])
def test_a_bad_file_is_one_line_naming_profile_and_field(tmp_path, text, culprit):
    with pytest.raises(ValidationError) as raised:
        load_platforms_file(_write(tmp_path, text))
    message = str(raised.value)
    assert culprit in message and "\n" not in message


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ValidationError, match="platforms.yml cannot be read"):
        load_platforms_file(str(tmp_path / "platforms.yml"))


def test_the_option_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("NETRAVEN_PLATFORMS_FILE", "/env/platforms.yml")
    assert platforms_file_path("/opt/platforms.yml") == "/opt/platforms.yml"
    assert platforms_file_path(None) == "/env/platforms.yml"
    monkeypatch.delenv("NETRAVEN_PLATFORMS_FILE")
    assert platforms_file_path(None) is None


NO_END = """
profiles:
  edge:
    device_types: [ubiquiti_edgeswitch]
    commands: [show running-config]
    secrets: ['\\bpassword (?P<secret>\\S+)']
"""


def test_a_profile_without_end_is_checked_by_size_only(tmp_path):
    """The docs say end may be left out (it was a TypeError)."""
    edge = load_platforms_file(_write(tmp_path, NO_END))["ubiquiti_edgeswitch"]
    assert edge.end is None and edge.end_found("hostname x\n") is None
    assert edge.is_complete("hostname edge1\n" + "interface 0/%d\n" * 0 + "vlan database\n" * 6)
    assert not edge.is_complete("hostname edge1\n")


RUNAWAY = """
profiles:
  edge:
    device_types: [ubiquiti_edgeswitch]
    commands: [show running-config]
    end: '^exit$'
    secrets: ['^secret (?P<secret>(?:a|aa)+)$']
    volatile: ['^!(?:x|xx)+$']
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("line", ["secret " + "a" * 64 + "b", "!" + "x" * 64 + "y"])
def test_a_user_regex_that_runs_away_is_refused_in_one_line_naming_it(tmp_path, line):
    """A user profile's regexes run with a time bound per match (Python's re would run for hours)."""
    from ansible_collections.netraven.netraven.plugins.module_utils._regex import RegexTimeoutError

    edge = load_platforms_file(_write(tmp_path, RUNAWAY))["ubiquiti_edgeswitch"]
    text = "hostname edge1\n" + line + "\n"
    started, cpu = time.monotonic(), time.process_time()
    with pytest.raises(RegexTimeoutError) as raised:
        edge.normalise(edge.mask_secrets(text, b"k" * 32))
    # The work is bounded: CPU seconds, which a loaded machine does not stretch (9 s of wall clock seen at a
    # load of 8 on 2 cores); the wall clock only has to stay far below "hours".
    assert time.process_time() - cpu < 5 and time.monotonic() - started < 30
    message = str(raised.value)
    assert "\n" not in message and "profile 'edge'" in message and ("(?:a|aa)+" in message or "(?:x|xx)+" in message)


def test_a_user_regex_on_sane_lines_masks_as_before(tmp_path):
    edge = load_platforms_file(_write(tmp_path, RUNAWAY))["ubiquiti_edgeswitch"]
    masked = edge.mask_secrets("hostname edge1\nsecret aaaa\n!xx\n", b"k" * 32)
    assert "secret <secret:" in masked and edge.normalise(masked) == "hostname edge1\n" + masked.split("\n")[1] + "\n"
