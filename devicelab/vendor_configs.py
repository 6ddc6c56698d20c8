"""Configurations of the table-driven platforms, in each vendor's own format.

Each platform has a body generator (the stable part, with that platform's
secret forms) and a renderer that adds the volatile lines on every fetch
(timestamps, FortiOS ``#conf_file_ver``, and FortiOS ``ENC`` values that are
re-encrypted on every read: the body holds ``{ENC:label}`` placeholders
that :func:`render` fills with fresh random base64 each time).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time

from .configs import _octets, fake_crypt

_ENC = re.compile(r"\{ENC:([^}]*)\}")


def _hex(seed, size=16):
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:size]


def _users(spec, fmt):
    return "\n".join(fmt(c) for c in spec.credentials)


def nxos_body(spec):
    a, b = _octets(spec.name)
    users = _users(spec, lambda c: f"username {c.username} password 5 {fake_crypt(c.password, '$5$', 8, 43, c.username)}"
                                   "  role network-admin")
    return (f"version 9.3(8) Bios:version  \nhostname {spec.host}\nfeature ospf\nfeature interface-vlan\n\n"
            f"no password strength-check\n{users}\n"
            f"ip domain-lookup\nsnmp-server user admin network-admin auth md5 0x{_hex(spec.name + 'a', 32)} "
            f"priv 0x{_hex(spec.name + 'p', 32)} localizedkey\nsnmp-server community nx-ro-{a} group network-operator\n"
            f"tacacs-server key 7 \"{_hex(spec.name + 't', 14)}\"\n\nvlan 1,10\n\n"
            f"interface Ethernet1/1\n  description uplink\n  no switchport\n  ip address 10.{a}.{b}.1/31\n"
            f"  ip ospf authentication-key 3 {_hex(spec.name + 'o', 16)}\n  no shutdown\n\n"
            f"interface mgmt0\n  vrf member management\n  ip address 10.{a}.{b}.10/24\n"
            f"line console\nline vty\nrouter ospf 1\n  router-id 10.255.{a}.{b}\n")


def nxos_render(text, stamp, spec):  # pylint: disable=unused-argument
    when = time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(stamp))
    return (f"\n!Command: show running-config\n!Running configuration last done at: {when}\n!Time: {when}\n\n"
            f"{text}\n\n")


def xr_body(spec):
    a, b = _octets(spec.name)
    users = _users(spec, lambda c: f"username {c.username}\n group root-lr\n group cisco-support\n"
                                   f" secret 10 {fake_crypt(c.password, '$6$', 16, 86, c.username)}\n!")
    return (f"hostname {spec.host}\ndomain name lab.example\n{users}\n"
            f"snmp-server community xr-ro-{a} RO\nntp\n server 10.{a}.0.123\n!\n"
            f"interface Loopback0\n ipv4 address 10.255.{a}.{b} 255.255.255.255\n!\n"
            f"interface GigabitEthernet0/0/0/0\n description uplink\n ipv4 address 10.{a}.{b}.1 255.255.255.254\n!\n"
            f"router ospf 1\n area 0\n  interface GigabitEthernet0/0/0/0\n"
            f"   authentication message-digest\n   message-digest-key 1 md5 encrypted {_hex(spec.name + 'k', 16).upper()}\n"
            f"  !\n !\n!\nssh server v2")


def xr_render(text, stamp, spec):  # pylint: disable=unused-argument
    when = time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(stamp))
    return f"Building configuration...\n!! IOS XR Configuration 7.3.2\n!! Last configuration change at {when} by admin\n!\n{text}\nend\n"


def asa_body(spec):
    a, b = _octets(spec.name)
    users = _users(spec, lambda c: f"username {c.username} password {fake_crypt(c.password, '$sha512$5000$', 24, 24, c.username)}"
                                   " pbkdf2 privilege 15")
    enable = fake_crypt(spec.enable_secret or "", '$sha512$5000$', 24, 24, 'enable')
    return (f"ASA Version 9.16(2) \n!\nhostname {spec.host}\ndomain-name lab.example\n"
            f"enable password {enable} pbkdf2\nnames\n!\ninterface GigabitEthernet0/0\n nameif outside\n"
            f" security-level 0\n ip address 198.51.100.{a} 255.255.255.0 \n!\ninterface GigabitEthernet0/1\n"
            f" nameif inside\n security-level 100\n ip address 10.{a}.{b}.1 255.255.255.0 \n!\n"
            f"passwd {fake_crypt('telnet', '', 0, 16, spec.name)} encrypted\nftp mode passive\n"
            f"{users}\nsnmp-server host inside 10.{a}.{b}.250 community asa-ro-{a} version 2c\n"
            f"tunnel-group 203.0.113.{b} type ipsec-l2l\ntunnel-group 203.0.113.{b} ipsec-attributes\n"
            f" ikev1 pre-shared-key psk-{_hex(spec.name, 10)}\n"
            f"aaa-server TACACS (inside) host 10.{a}.{b}.49\n key tac-{_hex(spec.name + 't', 8)}\n"
            f"ssh 10.0.0.0 255.0.0.0 inside\nntp server 10.{a}.0.123\n"
            f"Cryptochecksum:{_hex(spec.name + 'c', 32)}")


def asa_render(text, stamp, spec):  # pylint: disable=unused-argument
    return (f": Saved\n\n: \n: Serial Number: 9A{_hex(spec.name, 9).upper()}\n"
            f": Hardware:   ASAv, 2048 MB RAM, CPU Xeon 4100/6100/8100 series 2200 MHz\n"
            f": Written by enable_15 at {time.strftime('%H:%M:%S.000 UTC %a %b %d %Y', time.gmtime(stamp))}\n"
            f"!\n{text}\n: end\n")


def fortios_body(spec):
    a, b = _octets(spec.name)
    admins = "".join(
        f"    edit \"{c.username}\"\n        set accprofile \"super_admin\"\n        set vdom \"root\"\n"
        f"        set password ENC SH2{_hex(c.password + c.username, 60)}\n    next\n" for c in spec.credentials)
    return (f"config vdom\nedit root\nnext\nend\nconfig global\nconfig system global\n"
            f"    set admintimeout 30\n    set hostname \"{spec.host}\"\n    set timezone 04\nend\n"
            f"config system admin\n{admins}end\n"
            f"config system interface\n    edit \"port1\"\n        set vdom \"root\"\n"
            f"        set ip 10.{a}.{b}.1 255.255.255.0\n        set allowaccess ping https ssh\n    next\nend\n"
            f"config system snmp community\n    edit 1\n        set name \"forti-ro-{a}\"\n    next\nend\n"
            f"config user radius\n    edit \"corp-radius\"\n        set server \"10.{a}.{b}.18\"\n"
            f"        set secret ENC {{ENC:radius}}\n    next\nend\n"
            f"config vpn certificate local\n    edit \"lab-cert\"\n        set password ENC {{ENC:certpw}}\n"
            f"        set private-key \"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{{ENC:pkey}}\n"
            f"-----END ENCRYPTED PRIVATE KEY-----\"\n    next\nend\nend\n"
            f"config vdom\nedit root\nconfig vpn ipsec phase1-interface\n    edit \"to-hq\"\n"
            f"        set interface \"port1\"\n        set remote-gw 203.0.113.{b}\n"
            f"        set psksecret ENC {{ENC:psk}}\n    next\nend\n"
            f"config firewall policy\n    edit 1\n        set name \"lan-out\"\n        set srcintf \"port2\"\n"
            f"        set dstintf \"port1\"\n        set action accept\n    next\nend\nend")


def fortios_render(text, stamp, spec):  # pylint: disable=unused-argument
    body = _ENC.sub(lambda m: base64.b64encode(os.urandom(48 if m.group(1) == "pkey" else 24)).decode(), text)
    return (f"#config-version=FGVM64-7.2.5-FW-build1517-230606:opmode=0:vdom=1:user=admin\n"
            f"#conf_file_ver={stamp * 7 % 10 ** 15}\n#buildno=1517\n#global_vdom=1\n{body}\n")


def fortios_stable(text):
    """The FortiOS body with each ``ENC`` placeholder as a fixed value (for comparisons)."""
    return _ENC.sub(lambda m: "ENC-" + m.group(1), text)


def panos_body(spec):
    """PAN-OS ``show config running`` in the CLI's default brace format; ``-AQ==`` values are re-encrypted per read."""
    a, b = _octets(spec.name)
    users = "".join(f"      {c.username} {{\n        phash {fake_crypt(c.password, '$5$', 8, 43, c.username)};\n"
                    "        permissions {\n          role-based {\n            superuser yes;\n          }\n"
                    "        }\n      }\n" for c in spec.credentials)
    return (f"config {{\n  mgt-config {{\n    users {{\n{users}    }}\n  }}\n  shared {{\n    server-profile {{\n"
            f"      radius {{\n        corp {{\n          server {{\n            r1 {{\n"
            f"              ip-address 10.{a}.{b}.18;\n              secret -AQ=={{ENC:radius}};\n            }}\n"
            f"          }}\n        }}\n      }}\n    }}\n  }}\n  devices {{\n    localhost.localdomain {{\n"
            f"      deviceconfig {{\n        system {{\n          hostname {spec.host};\n"
            f"          ip-address 10.{a}.{b}.10;\n          snmp-setting {{\n            access-setting {{\n"
            f"              version {{\n                v2c {{\n                  snmp-community-string pa-ro-{a};\n"
            f"                }}\n              }}\n            }}\n          }}\n        }}\n      }}\n"
            f"      network {{\n        ike {{\n          gateway {{\n            to-hq {{\n"
            f"              authentication {{\n                pre-shared-key {{\n"
            f"                  key -AQ=={{ENC:psk}};\n                }}\n              }}\n            }}\n"
            f"          }}\n        }}\n      }}\n    }}\n  }}\n}}")


def panos_render(text, stamp, spec):  # pylint: disable=unused-argument
    return _ENC.sub(lambda m: base64.b64encode(os.urandom(30)).decode(), text) + "\n"


def routeros_body(spec):
    a, b = _octets(spec.name)
    return (f"/interface bridge\nadd name=bridge1\n/interface wireless security-profiles\n"
            f"set [ find default=yes ] supplicant-identity=MikroTik\n"
            f"add authentication-types=wpa2-psk mode=dynamic-keys name=corp wpa2-pre-shared-key=wifi-{_hex(spec.name, 10)}\n"
            f"/ip address\nadd address=10.{a}.{b}.1/24 interface=ether1 network=10.{a}.{b}.0\n"
            f"/ip dns\nset servers=10.{a}.0.53\n/ppp secret\nadd name=vpn-user password=ppp-{_hex(spec.name + 'p', 10)} service=l2tp\n"
            f"/radius\nadd address=10.{a}.{b}.18 secret=rad-{_hex(spec.name + 'r', 8)} service=login\n"
            f"/snmp community\nset [ find default=yes ] name=ros-ro-{a}\n"
            f"/system identity\nset name={spec.host}\n/system ntp client\nset enabled=yes\n"
            f"/system ntp client servers\nadd address=10.{a}.0.123")


def routeros_render(text, stamp, spec):
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamp))
    return (f"# {when} by RouterOS 7.12.1\n# software id = {_hex(spec.name, 4).upper()}-{_hex(spec.name + 's', 4).upper()}\n"
            f"#\n# model = CCR2004-16G-2S+\n# serial number = {_hex(spec.name + 'n', 12).upper()}\n{text}\n")


def vrp_body(spec):
    a, b = _octets(spec.name)
    users = "".join(f" local-user {c.username} password irreversible-cipher $1c${_hex(c.password, 40)}$\n"
                    f" local-user {c.username} privilege level 15\n local-user {c.username} service-type ssh\n"
                    for c in spec.credentials)
    return (f"#\n sysname {spec.host}\n#\nvlan batch 10 20\n#\naaa\n{users} local-user admin2 password cipher "
            f"%^%#{_hex(spec.name + 'c', 24)}%^%#\n#\ninterface Vlanif10\n ip address 10.{a}.{b}.1 255.255.255.0\n#\n"
            f"interface GigabitEthernet0/0/1\n port link-type trunk\n#\nospf 1 router-id 10.255.{a}.{b}\n"
            f" area 0.0.0.0\n  authentication-mode md5 1 cipher %^%#{_hex(spec.name + 'o', 24)}%^%#\n"
            f"  network 10.{a}.{b}.0 0.0.0.255\n#\nsnmp-agent\nsnmp-agent community read cipher "
            f"%^%#{_hex(spec.name + 's', 24)}%^%#\nsnmp-agent sys-info version v2c v3\n#\n"
            f"stelnet server enable\nssh user {spec.credentials[0].username} authentication-type password\n#\n"
            f"ntp-service unicast-server 10.{a}.0.123\n#\nuser-interface vty 0 4\n authentication-mode aaa\n"
            f" protocol inbound ssh\n#\nreturn")


def vrp_render(text, stamp, spec):  # pylint: disable=unused-argument
    when = time.strftime("%Y-%m-%d %H:%M:%S+00:00", time.gmtime(stamp))
    return f"!Software Version V200R010C00SPC600\n!Last configuration was updated at {when} by admin\n{text}\n"


def procurve_body(spec):
    a, b = _octets(spec.name)
    return (f"; J9729A Configuration Editor; Created on release #WB.16.10.0012\n"
            f"; Ver #14:01.44.00.04.19.02.13.98.82.34.61.18.28.f3.84.9c.63.ff.37.27:05\n"
            f"hostname \"{spec.host}\"\nmodule 1 type j9729a\nsnmp-server community \"pc-ro-{a}\" unrestricted\n"
            f"radius-server host 10.{a}.{b}.18 key \"rad-{_hex(spec.name, 8)}\"\n"
            f"vlan 1\n   name \"DEFAULT_VLAN\"\n   untagged 1-48\n   ip address 10.{a}.{b}.2 255.255.255.0\n   exit\n"
            f"sntp server priority 1 10.{a}.0.123\n"
            f"password manager user-name \"{spec.credentials[0].username}\" sha1 "
            f"\"{hashlib.sha1(spec.credentials[0].password.encode()).hexdigest()}\"\n"
            f"password operator user-name \"operator\" sha1 \"{_hex(spec.name + 'o', 40)}\"")


def procurve_render(text, stamp, spec):  # pylint: disable=unused-argument
    return f"\nRunning configuration:\n\n{text}\n"


def aoscx_body(spec):
    a, b = _octets(spec.name)
    users = _users(spec, lambda c: f"user {c.username} group administrators password ciphertext "
                                   f"AQBapa{_hex(c.password + c.username, 48)}")
    return (f"!Version ArubaOS-CX FL.10.10.1000\n!export-password: default\nhostname {spec.host}\n{users}\n"
            f"radius-server host 10.{a}.{b}.18 key ciphertext AQBapa{_hex(spec.name + 'r', 40)}\n"
            f"snmp-server community cx-ro-{a}\nsnmpv3 user monitor auth sha auth-pass ciphertext "
            f"AQBapa{_hex(spec.name + 'a', 32)} priv aes priv-pass ciphertext AQBapa{_hex(spec.name + 'p', 32)}\n"
            f"ntp server 10.{a}.0.123\nssh server vrf mgmt\nvlan 1,10\n"
            f"interface mgmt\n    no shutdown\n    ip static 10.{a}.{b}.10/24\ninterface 1/1/1\n    no shutdown\n"
            f"    description uplink\n    ip address 10.{a}.{b}.1/31\n    ip ospf authentication message-digest\n"
            f"    ip ospf message-digest-key 1 md5 ciphertext AQBapa{_hex(spec.name + 'o', 32)}\n"
            f"router ospf 1\n    router-id 10.255.{a}.{b}\n    area 0.0.0.0\nhttps-server vrf mgmt")


def aoscx_render(text, stamp, spec):  # pylint: disable=unused-argument
    return f"Current configuration:\n!\n{text}\n"


def comware_body(spec):
    a, b = _octets(spec.name)
    users = "".join(f"local-user {c.username} class manage\n password hash $h$6${_hex(c.password, 16)}$"
                    f"{_hex(c.password + 'h', 64)}==\n service-type ssh\n authorization-attribute user-role network-admin\n#\n"
                    for c in spec.credentials)
    return (f"#\n version 7.1.064, Release 0821P16\n#\n sysname {spec.host}\n#\n ntp-service unicast-server 10.{a}.0.123\n#\n"
            f"vlan 1\n#\ninterface Vlan-interface1\n ip address 10.{a}.{b}.2 255.255.255.0\n#\n"
            f" snmp-agent\n snmp-agent community read cipher $c$3${_hex(spec.name + 's', 32)}==\n"
            f" snmp-agent sys-info version v2c v3\n#\nradius scheme corp\n primary authentication 10.{a}.{b}.18\n"
            f" key authentication cipher $c$3${_hex(spec.name + 'r', 32)}==\n#\n{users}"
            f" ssh server enable\n#\nreturn")


def comware_render(text, stamp, spec):  # pylint: disable=unused-argument
    return text + "\n"


def os10_body(spec):
    a, b = _octets(spec.name)
    users = _users(spec, lambda c: f"username {c.username} password {fake_crypt(c.password, '$6$', 16, 86, c.username)}"
                                   " role sysadmin priv-lvl 15")
    return (f"!\nhostname {spec.host}\n{users}\naaa authentication login default local\n"
            f"snmp-server community os10-ro-{a} ro\nradius-server host 10.{a}.{b}.18 key 9 {_hex(spec.name + 'r', 64)}\n"
            f"ntp server 10.{a}.0.123\n!\ninterface ethernet1/1/1\n description uplink\n no switchport\n"
            f" ip address 10.{a}.{b}.1/31\n no shutdown\n!\ninterface mgmt1/1/1\n no shutdown\n"
            f" ip address 10.{a}.{b}.10/24\n!\nrouter ospf 1\n router-id 10.255.{a}.{b}\n!")


def os10_render(text, stamp, spec):  # pylint: disable=unused-argument
    when = time.strftime("%b %d %H:%M:%S %Y", time.gmtime(stamp))
    return f"! Version 10.5.2.0\n! Last configuration change at {when}\n{text}\n"


def ftos_body(spec):
    a, b = _octets(spec.name)
    users = _users(spec, lambda c: f"username {c.username} password 7 {_hex(c.password + c.username, 32)} privilege 15")
    enable = f"enable secret 5 {fake_crypt(spec.enable_secret or '', seed='enable')}\n!\n"
    return (f"!\nboot system stack-unit 1 primary system: A:\n!\nhostname {spec.host}\n!\n{enable}{users}\n!\n"
            f"interface TenGigabitEthernet 1/1\n description uplink\n ip address 10.{a}.{b}.1/31\n no shutdown\n!\n"
            f"interface ManagementEthernet 1/1\n ip address 10.{a}.{b}.10/24\n no shutdown\n!\n"
            f"snmp-server community ftos-ro-{a} ro\ntacacs-server host 10.{a}.{b}.49 key 7 {_hex(spec.name + 't', 16)}\n"
            f"ntp server 10.{a}.0.123\n!\nline console 0\nline vty 0 9\n!")


def ftos_render(text, stamp, spec):  # pylint: disable=unused-argument
    when = time.strftime("%H:%M:%S UTC %a %b %d %Y", time.gmtime(stamp))
    return (f"Current Configuration ...\n! Version 9.14(2.0)\n! Last configuration change at {when} by admin\n"
            f"! Startup-config last updated at {when} by admin\n{text}\nend\n")


def exos_body(spec):
    a, b = _octets(spec.name)
    users = "".join(f"create account admin {c.username} encrypted \"{fake_crypt(c.password, '$5$', 8, 43, c.username)}\"\n"
                    for c in spec.credentials)
    return (f"#\n# Module devmgr configuration.\n#\nconfigure snmp sysName \"{spec.host}\"\n"
            f"configure snmp sysContact \"noc@lab.example\"\n#\n# Module vlan configuration.\n#\n"
            f"create vlan \"uplink\"\nconfigure vlan uplink tag 10\nconfigure vlan uplink ipaddress 10.{a}.{b}.1 255.255.255.0\n"
            f"#\n# Module aaa configuration.\n#\n{users}"
            f"configure radius netlogin primary server 10.{a}.{b}.18 1812 client-ip 10.{a}.{b}.1 vr VR-Default "
            f"shared-secret encrypted \"{_hex(spec.name + 'r', 20)}\"\n"
            f"#\n# Module snmpMaster configuration.\n#\nconfigure snmpv3 add community \"exos-ro-{a}\" name \"exos-ro-{a}\" user \"v1v2c_ro\"\n"
            f"#\n# Module ntp configuration.\n#\nconfigure ntp server add 10.{a}.0.123 vr VR-Mgmt")


def exos_render(text, stamp, spec):  # pylint: disable=unused-argument
    return text + "\n"


def edgeswitch_body(spec):
    a, b = _octets(spec.name)
    users = _users(spec, lambda c: f"username \"{c.username}\" password {_hex(c.password + c.username, 64)} level 15 encrypted")
    return (f"vlan database\nvlan 10\nexit\n\nconfigure\nhostname \"{spec.host}\"\n"
            f"network protocol none\nnetwork parms 10.{a}.{b}.2 255.255.255.0 10.{a}.{b}.1\n{users}\n"
            f"snmp-server community \"es-ro-{a}\" ro\nradius server key auth 10.{a}.{b}.18 encrypted "
            f"{_hex(spec.name + 'r', 64)}\nsntp server 10.{a}.0.123\nline console\nexit\n\nline ssh\nexit\n\nexit")


def edgeswitch_render(text, stamp, spec):  # pylint: disable=unused-argument
    when = time.strftime("%b %d %H:%M:%S %Y", time.gmtime(stamp))
    return ("!Current Configuration:\n!\n!System Description \"EdgeSwitch 24-Port Lite, 1.9.3.5389174, Linux 3.6.5\"\n"
            "!System Software Version \"1.9.3.5389174\"\n"
            f"!System Up Time          \"{(stamp // 86400) % 30} days {(stamp // 3600) % 24} hrs {(stamp // 60) % 60} mins {stamp % 60} secs\"\n"
            f"!Additional Packages     QOS,IPv6 Management,Routing\n!Current SNTP Synchronized Time: {when} UTC\n!\n{text}\n")


BODIES = {
    "cisco_nxos": (nxos_body, nxos_render), "cisco_xr": (xr_body, xr_render), "cisco_asa": (asa_body, asa_render),
    "fortinet": (fortios_body, fortios_render), "paloalto_panos": (panos_body, panos_render),
    "mikrotik_routeros": (routeros_body, routeros_render), "huawei": (vrp_body, vrp_render),
    "huawei_vrp": (vrp_body, vrp_render), "hp_procurve": (procurve_body, procurve_render),
    "aruba_aoscx": (aoscx_body, aoscx_render), "hp_comware": (comware_body, comware_render),
    "dell_os10": (os10_body, os10_render), "dell_force10": (ftos_body, ftos_render),
    "extreme_exos": (exos_body, exos_render), "ubiquiti_edgeswitch": (edgeswitch_body, edgeswitch_render),
}

# Lines a fetch renders fresh; stripped when a test hands in a full capture.
VOLATILE = re.compile(
    r"^(!Command: |!Running configuration last done at: |!Time: |Building configuration|!! IOS XR Configuration |"
    r"!! Last configuration change at |: Saved|: Serial Number: |: Hardware: |: Written by |: end$|: $|"
    r"#config-version=|#conf_file_ver=|#buildno=|#global_vdom=|# \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by RouterOS|"
    r"# software id = |# model = |# serial number = |!Software Version |!Last configuration was updated at |"
    r"Running configuration:$|Current configuration:$|! Version \d|! Last configuration change at |"
    r"Current Configuration \.\.\.|! Startup-config last updated at |!Current Configuration:|!System |"
    r"!Additional Packages|!Current SNTP Synchronized Time: )"
)
