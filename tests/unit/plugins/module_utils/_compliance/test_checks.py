"""Each compliance check on IOS, NX-OS, EOS, JunOS and FortiOS texts (docs/compliance.md, "Checks")."""

from __future__ import annotations

import pytest

pytest.importorskip("regex")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._blocks import parse  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._checks import IntendedCache, evaluate  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._rules import load_rules  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._secret_guard import canonical_markers  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import PROFILES  # noqa: E402

IOS = """\
! show version
! Cisco IOS Software, Version 15.2
version 15.2
hostname sw1
!
banner motd ^C
Authorised access only
! not a comment: banner text
interface Fake0
^C
enable secret 5 <secret:0123456789abcdef>
!
interface GigabitEthernet0/1
 description access port
 switchport mode access
 spanning-tree portfast
!
interface GigabitEthernet0/2
 description access port, no portfast
 switchport mode access
!
interface GigabitEthernet0/3
 description uplink
 switchport mode trunk
!
ip ssh version 2
no ip http server
ntp server 10.0.0.1
ntp server 10.0.0.2
line con 0
 logging synchronous
line vty 0 4
 login local
 transport input ssh
line vty 5 15
 login local
 transport input telnet ssh
end
"""

NXOS = """\
!Command: show running-config
version 9.3(8) Bios:version
hostname nx1
feature ospf
feature interface-vlan
username admin password 5 <secret:fedcba9876543210>  role network-admin
ssh key rsa 2048
interface Ethernet1/1
  description uplink
  no switchport
  ip address 10.1.1.1/31
  no shutdown
interface Ethernet1/2
  switchport
  switchport mode access
  spanning-tree port type edge
interface mgmt0
  vrf member management
  ip address 10.1.1.10/24
line vty
  exec-timeout 10
router ospf 1
  router-id 10.255.1.1
"""

EOS = """\
! Command: show running-config
! device: eos1 (vEOS, EOS-4.28)
!
hostname eos1
!
banner login
Authorised access only
! still the banner
EOF
!
management api http-commands
   no shutdown
!
interface Ethernet1
   description spine-1
   no switchport
   ip address 10.2.2.1/31
!
interface Ethernet2
   description server
   switchport access vlan 10
!
ntp server 10.2.0.123
ip routing
end
"""

JUNOS = """\
## Last commit: 2026-12-01 10:00:00 UTC by admin
version 20.4R3.8;
system {
    host-name j1;
    root-authentication {
        encrypted-password "<secret:0123456789abcdef>"; ## SECRET-DATA
    }
    services {
        ssh {
            root-login deny;
        }
        telnet;
    }
    ntp {
        server 10.3.0.123;
    }
}
interfaces {
    /* uplink annotation */
    ge-0/0/0 {
        description "uplink to core";
        unit 0 {
            family inet {
                address 10.3.3.1/31;
            }
        }
    }
    ge-0/0/1 {
        description "server";
        unit 0 {
            family ethernet-switching;
        }
    }
}
"""

FORTIOS = """\
#config-version=FGVM64-7.2.5-FW-build1517-230606:opmode=0:vdom=1:user=admin
#conf_file_ver=123
config vdom
edit root
next
end
config global
config system global
    set admintimeout 30
    set hostname "fgt1"
end
config system admin
    edit "admin"
        set accprofile "super_admin"
        set password ENC <secret:0123456789abcdef>
    next
end
config system interface
    edit "port1"
        set ip 10.4.4.1 255.255.255.0
        set allowaccess ping https ssh telnet
    next
    edit "port2"
        set ip 10.4.5.1 255.255.255.0
        set allowaccess ping https ssh
    next
end
config vpn certificate local
    edit "lab-cert"
        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----<secret:encrypted>
-----END ENCRYPTED PRIVATE KEY-----"
    next
end
end
config vdom
edit root
config firewall policy
    edit 1
        set name "lan-out"
        set action accept
    next
end
end
"""


def outcome(text, profile_name, rule):
    profile = PROFILES[profile_name]
    (loaded,) = load_rules([dict(rule, name=rule.get("name", "r"))])
    loaded.compile()
    parsed = parse(canonical_markers(text), profile.blocks, profile.comment)
    intended = IntendedCache().paths(loaded, profile.blocks, profile.comment) if loaded.match else None
    return evaluate(loaded, parsed, intended)


# ------------------------------------------------------------------ must_contain / must_not_contain

@pytest.mark.parametrize("text,device_type,present,absent", [
    (IOS, "cisco_ios", r"^ip ssh version 2$", r"^ip ssh version 1"),
    (NXOS, "cisco_nxos", r"^feature ospf$", r"^feature telnet$"),
    (EOS, "arista_eos", r"^ip routing$", r"^ip http server"),
    (JUNOS, "juniper_junos", r"^root-login deny$", r"^root-login allow"),
    (FORTIOS, "fortinet", r'^set hostname "fgt1"$', r"^set admin-telnet enable"),
])
def test_must_contain_and_must_not_contain(text, device_type, present, absent):
    assert outcome(text, device_type, {"must_contain": present}).status == "COMPLIANT"
    missing = outcome(text, device_type, {"must_contain": [present, absent]})
    assert (missing.status, missing.missing, missing.extra) == ("NON_COMPLIANT", [absent], [])
    assert outcome(text, device_type, {"must_not_contain": absent}).status == "COMPLIANT"
    found = outcome(text, device_type, {"must_not_contain": present})
    assert found.status == "NON_COMPLIANT" and found.missing == [] and len(found.extra) == 1


def test_a_nested_offending_line_is_shown_with_its_parents():
    ios = outcome(IOS, "cisco_ios", {"must_not_contain": "^transport input telnet"})
    assert ios.extra == ["line vty 5 15 > transport input telnet ssh"]
    junos = outcome(JUNOS, "juniper_junos", {"must_not_contain": "^telnet$"})
    assert junos.extra == ["system > services > telnet"]
    forti = outcome(FORTIOS, "fortinet", {"must_not_contain": "allowaccess .*telnet"})
    assert forti.extra == ['config global > config system interface > edit "port1" > set allowaccess ping https ssh telnet']


# ------------------------------------------------------------------ section / section_having

def test_ios_section_every_block_must_pass_and_section_having_narrows():
    vty = outcome(IOS, "cisco_ios", {"section": "^line vty", "must_contain": "^transport input ssh$"})
    assert vty.status == "NON_COMPLIANT"
    assert vty.section == "line vty 5 15" and vty.missing == ["^transport input ssh$"]
    portfast = outcome(IOS, "cisco_ios", {"section": "^interface Gi", "section_having": "^switchport mode access$",
                                          "must_contain": "^spanning-tree portfast"})
    assert portfast.status == "NON_COMPLIANT" and portfast.section == "interface GigabitEthernet0/2"
    assert portfast.blocks == [{"section": "interface GigabitEthernet0/2", "missing": ["^spanning-tree portfast"],
                                "extra": []}]
    none = outcome(IOS, "cisco_ios", {"section": "^router bgp", "must_contain": "neighbor"})
    assert none.status == "NOT_APPLICABLE" and none.reason == "no block matched section"


def test_nxos_and_eos_sections_by_indentation():
    nxos = outcome(NXOS, "cisco_nxos", {"section": "^interface Ethernet", "section_having": "^switchport mode access",
                                        "must_contain": "^spanning-tree port type edge$"})
    assert nxos.status == "COMPLIANT"
    eos = outcome(EOS, "arista_eos", {"section": "^interface Ethernet", "must_contain": "^description "})
    assert eos.status == "COMPLIANT"
    eos_shut = outcome(EOS, "arista_eos", {"section": "^management api", "must_contain": "^shutdown$"})
    assert eos_shut.status == "NON_COMPLIANT" and eos_shut.section == "management api http-commands"


def test_junos_sections_reach_nested_blocks():
    ssh = outcome(JUNOS, "juniper_junos", {"section": "^ssh$", "must_contain": "^root-login deny$"})
    assert ssh.status == "COMPLIANT"
    # A statement ("telnet;", netconf's "ssh;") is a line, never a block: only "name {" opens one.
    assert outcome(JUNOS, "juniper_junos", {"section": "^telnet$", "must_contain": "x"}).status == "NOT_APPLICABLE"
    units = outcome(JUNOS, "juniper_junos", {"section": "^ge-", "section_having": "^family inet$",
                                             "must_contain": r"^address \S+/31$"})
    assert units.status == "COMPLIANT"
    described = outcome(JUNOS, "juniper_junos", {"section": "^ge-", "must_contain": '^description "uplink'})
    assert described.status == "NON_COMPLIANT" and described.section == "interfaces > ge-0/0/1"


def test_fortios_sections_follow_config_edit_next_end_not_indentation():
    interfaces = outcome(FORTIOS, "fortinet", {"section": "^edit \"port", "must_not_contain": "telnet"})
    assert interfaces.status == "NON_COMPLIANT"
    assert interfaces.section == 'config global > config system interface > edit "port1"'
    # "config system global" sits inside "config global" although neither is indented.
    global_block = outcome(FORTIOS, "fortinet", {"section": "^config global$", "must_contain": "^set admintimeout 30$"})
    assert global_block.status == "COMPLIANT"
    policy = outcome(FORTIOS, "fortinet", {"section": "^config firewall policy$", "must_contain": "^set action accept$"})
    assert policy.status == "COMPLIANT"
    assert outcome(FORTIOS, "fortinet", {"section": "^set ip ", "must_contain": "x"}).status == "NOT_APPLICABLE"


# ------------------------------------------------------------------ match + intended

def test_ios_match_intended_unordered_and_ordered():
    ntp = {"match": "ntp server", "intended": ["ntp server 10.0.0.1", "ntp server 10.0.0.2"]}
    assert outcome(IOS, "cisco_ios", ntp).status == "COMPLIANT"
    assert outcome(IOS, "cisco_ios", dict(ntp, intended=["ntp server 10.0.0.2", "ntp server 10.0.0.1"])).status == "COMPLIANT"
    ordered = outcome(IOS, "cisco_ios", dict(ntp, intended=["ntp server 10.0.0.2", "ntp server 10.0.0.1"], ordered=True))
    assert ordered.status == "NON_COMPLIANT" and ordered.missing and ordered.extra
    wrong = outcome(IOS, "cisco_ios", dict(ntp, intended="ntp server 10.0.0.1\nntp server 10.0.0.9\n"))
    assert (wrong.missing, wrong.extra) == (["ntp server 10.0.0.9"], ["ntp server 10.0.0.2"])


def test_match_takes_whole_blocks_and_reports_nested_lines_with_parents():
    vty = outcome(IOS, "cisco_ios", {"match": "line vty", "intended": [
        "line vty 0 4", " login local", " transport input ssh", "line vty 5 15", " login local", " transport input ssh"]})
    assert vty.missing == ["line vty 5 15 > transport input ssh"]
    assert vty.extra == ["line vty 5 15 > transport input telnet ssh"]


def test_match_inside_sections_on_junos_and_eos():
    junos = outcome(JUNOS, "juniper_junos", {"section": "^ntp$", "match": "server", "intended": ["server 10.3.0.123;"]})
    assert junos.status == "COMPLIANT"
    eos = outcome(EOS, "arista_eos", {"match": "ntp server", "intended": ["ntp server 10.2.0.124"]})
    assert (eos.missing, eos.extra) == (["ntp server 10.2.0.124"], ["ntp server 10.2.0.123"])
    absent = outcome(NXOS, "cisco_nxos", {"match": "feature telnet", "intended": []})
    assert absent.status == "COMPLIANT"


# ------------------------------------------------------------------ banners and parsing

def test_banners_never_break_the_parse():
    """IOS ^C banners and EOS EOF banners hold lines that look like comments or configuration."""
    ios = parse(IOS, "indent", "!")
    banner = ios.texts.index("banner motd ^C")
    assert ios.texts[banner + 1:banner + 4] == ["Authorised access only", "! not a comment: banner text", "interface Fake0"]
    assert ios.depths[banner + 1:banner + 4] == [1, 1, 1]
    assert ios.texts[banner + 4].startswith("enable secret") and ios.depths[banner + 4] == 0
    # The banner's "interface Fake0" is no interface block.
    assert outcome(IOS, "cisco_ios", {"section": "^interface Fake", "must_contain": "x"}).status == "NOT_APPLICABLE"
    eos = parse(EOS, "indent", "!")
    assert eos.texts[eos.texts.index("banner login") + 2] == "! still the banner"
    one_line = parse("banner exec ^CWelcome^C\nhostname r1\n", "indent", "!")
    assert (one_line.texts, one_line.depths) == (["banner exec ^CWelcome^C", "Welcome", "hostname r1"], [0, 1, 0])
    unterminated = parse("banner motd ^C\nhostname r1\n", "indent", "!")
    assert unterminated.depths == [0, 0]


def test_a_rule_sees_keyed_markers_as_plain_secret():
    assert outcome(IOS, "cisco_ios", {"must_contain": r"^enable secret 5 <secret>$"}).status == "COMPLIANT"
    forti = outcome(FORTIOS, "fortinet", {"must_contain": r"^set private-key .*<secret:encrypted> -----END"})
    assert forti.status == "COMPLIANT"


def test_a_regex_that_spans_lines_still_matches_single_lines_only():
    """\\s and [^x] can cross a newline in the joined block: such a match is no line's, and lines are tried one by one."""
    assert outcome(IOS, "cisco_ios", {"must_contain": r"ntp server 10\.0\.0\.1\sntp"}).status == "NON_COMPLIANT"
    assert outcome(IOS, "cisco_ios", {"must_contain": r"^ntp server 10\.0\.0\.2[^x]*$"}).status == "COMPLIANT"
    lookbehind = outcome(IOS, "cisco_ios", {"must_not_contain": r"(?<!no )ip http server"})
    assert lookbehind.status == "COMPLIANT"
