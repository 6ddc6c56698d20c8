"""Each platform's real-format secret lines, with the masked form they must take (docs/platforms.md).

``<S>`` stands for a keyed marker ``<secret:16 hex>``; ``<E>`` for the constant re-encrypted marker.
"""

import dataclasses
import re

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

KEY = b"corpus-key-0123456789abcdef01234"

CORPUS = [
    # Cisco IOS / IOS-XE
    ("cisco_ios", "enable secret 5 $1$abcd$enableHash", "enable secret 5 <S>"),
    ("cisco_ios", "enable secret level 15 5 $1$abcd$lvl", "enable secret level 15 5 <S>"),
    ("cisco_ios", "username admin privilege 15 secret 9 $9$nhEmQVczB7dqsO$X", "username admin privilege 15 secret 9 <S>"),
    ("cisco_ios", "username ops password 7 0822455D0A16", "username ops password 7 <S>"),
    ("cisco_ios", " key-string 7 0822455D0A16", " key-string 7 <S>"),
    ("cisco_ios", " standby 1 authentication md5 key-string S3cr3tHsrp", " standby 1 authentication md5 key-string <S>"),
    ("cisco_ios", "ntp authentication-key 1 md5 121A0C0411045D 7", "ntp authentication-key 1 md5 <S> 7"),
    ("cisco_ios", "snmp-server community n0tPublic RO", "snmp-server community <S> RO"),
    ("cisco_ios", "snmp-server host 192.0.2.1 version 2c C0mmunity", "snmp-server host 192.0.2.1 version 2c <S>"),
    ("cisco_ios", "snmp-server user u g v3 auth sha AuthPass1 priv aes 128 PrivPass1",
     "snmp-server user u g v3 auth sha <S> priv aes 128 <S>"),
    ("cisco_ios", "crypto isakmp key IsakmpPsk address 192.0.2.9", "crypto isakmp key <S> address 192.0.2.9"),
    ("cisco_ios", " pre-shared-key address 192.0.2.9 key KeyringPsk", " pre-shared-key address 192.0.2.9 key <S>"),
    ("cisco_ios", " server-private 192.0.2.5 key 7 0822455D0A16", " server-private 192.0.2.5 key 7 <S>"),
    ("cisco_ios", " ppp chap password 7 0822455D0A16", " ppp chap password 7 <S>"),
    ("cisco_ios", "ip ftp password FtpPass1", "ip ftp password <S>"),
    ("cisco_ios", "tacacs-server key 7 0822455D0A16", "tacacs-server key 7 <S>"),
    ("cisco_ios", " ip ospf message-digest-key 1 md5 7 0822455D0A16", " ip ospf message-digest-key 1 md5 7 <S>"),
    ("cisco_ios", " neighbor 192.0.2.2 password 7 0822455D0A16", " neighbor 192.0.2.2 password 7 <S>"),
    ("cisco_xe", "username admin privilege 15 secret 9 $9$abc", "username admin privilege 15 secret 9 <S>"),
    # lines that hold no secret stay as they are
    ("cisco_ios", " key 1", " key 1"),
    ("cisco_ios", "key chain OSPF", "key chain OSPF"),
    ("cisco_ios", "service password-encryption", "service password-encryption"),
    # Arista EOS
    ("arista_eos", "username admin privilege 15 role network-admin secret sha512 $6$salt$hash",
     "username admin privilege 15 role network-admin secret sha512 <S>"),
    ("arista_eos", "enable password sha512 $6$salt$hash", "enable password sha512 <S>"),
    # NX-OS
    ("cisco_nxos", "username admin password 5 $5$salt$hash role network-admin",
     "username admin password 5 <S> role network-admin"),
    ("cisco_nxos", "snmp-server user admin network-admin auth md5 0xabc123 priv 0xdef456 localizedkey",
     "snmp-server user admin network-admin auth md5 <S> priv <S> localizedkey"),
    # IOS-XR
    ("cisco_xr", " secret 10 $6$salt$hash", " secret 10 <S>"),
    # ASA
    ("cisco_asa", "enable password 8Ry2YjIyt7RRXU24 encrypted", "enable password <S> encrypted"),
    ("cisco_asa", "username x password Q2kd.3lqPDF2Vk0e encrypted privilege 15", "username x password <S> encrypted privilege 15"),
    ("cisco_asa", "passwd 2KFQnbNIdI.2KYOU encrypted", "passwd <S> encrypted"),
    ("cisco_asa", " ikev1 pre-shared-key TunnelPsk", " ikev1 pre-shared-key <S>"),
    # Dell
    ("dell_os10", "username admin password $6$q9QBeYjZ$hash role sysadmin priv-lvl 15",
     "username admin password <S> role sysadmin priv-lvl 15"),
    ("dell_force10", "username admin password 7 888dc89d1f9bf6e3 privilege 15", "username admin password 7 <S> privilege 15"),
    # JunOS
    ("juniper_junos", '        encrypted-password "$6$rootHash"; ## SECRET-DATA', '        encrypted-password <S>; ## SECRET-DATA'),
    ("juniper_junos", '                key "$9$abcDEF"; ## SECRET-DATA', '                key <S>; ## SECRET-DATA'),
    ("juniper_junos", '    authentication-key "$9$abc"; ## SECRET-DATA', '    authentication-key <S>; ## SECRET-DATA'),
    # Whatever JunOS itself tags as secret, in a form no rule names: the statement's value.
    ("juniper_junos", '        psk-secret "$8$aes256-gcm$hmac-sha2-256$100$Zm9v$YmFy"; ## SECRET-DATA',
     '        psk-secret <S>; ## SECRET-DATA'),
    ("juniper_junos", '            wpa-psk Plain-Unquoted-1; ## SECRET-DATA', '            wpa-psk <S>; ## SECRET-DATA'),
    ("juniper_junos", '        ssh-ed25519 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGabc ops@jump"; ## SECRET-DATA',
     '        ssh-ed25519 <S>; ## SECRET-DATA'),
    ("juniper_junos", '    description "19\\" rack";', '    description "19\\" rack";'),
    ("juniper", '        pre-shared-key hexadecimal "$9$hex"; ## SECRET-DATA', '        pre-shared-key hexadecimal <S>; ## SECRET-DATA'),
    ("juniper", '        pre-shared-key ascii-text "$9$asc"; ## SECRET-DATA', '        pre-shared-key ascii-text <S>; ## SECRET-DATA'),
    ("juniper", '    authentication-password "$9$a"; ## SECRET-DATA', '    authentication-password <S>; ## SECRET-DATA'),
    ("juniper", '    privacy-password "$9$p"; ## SECRET-DATA', '    privacy-password <S>; ## SECRET-DATA'),
    ("juniper", "    community s3cretComm {", "    community <S> {"),
    # FortiOS
    # an admin's password hash (SH2) is stable: a keyed marker, so a password change is a change
    ("fortinet", "        set password ENC SH2nlSm9QL9tapcHPXIqAXvX7vBJuuqu22hpa0JX0sBuKIo7z2g0Kz/+0KyH4E=",
     "        set password ENC <S>"),
    ("fortinet", "        set psksecret ENC LCVkCiK2E2PhVUzZe0eZ6rYnf8nKd3rLnnsiVqJi5RSgsdhsU6Oc7w==", "        set psksecret ENC <E>"),
    ("fortinet", "        set community \"public\"", "        set community <S>"),
    # PAN-OS
    ("paloalto_panos", "        phash $1$hsdjmrfo$QVtHJQPuV2fIkwB8ZVDvW1;", "        phash <S>;"),
    ("paloalto_panos", "            pre-shared-key -AQ==f2s9MiTaZzxpuJ9nFK4VFeRtwmg=;", "            pre-shared-key <E>;"),
    # RouterOS
    ("mikrotik_routeros", "add name=ops password=RosPass1 group=full", "add name=ops password=<S> group=full"),
    ("mikrotik_routeros", "set [ find default=yes ] wpa2-pre-shared-key=WifiKey1 mode=dynamic-keys",
     "set [ find default=yes ] wpa2-pre-shared-key=<S> mode=dynamic-keys"),
    ("mikrotik_routeros", "add address=192.0.2.1 secret=\"Radius Key\" service=login", "add address=192.0.2.1 secret=<S> service=login"),
    # Huawei VRP
    ("huawei", " local-user admin password irreversible-cipher $1a$abc$def$", " local-user admin password irreversible-cipher <S>"),
    ("huawei_vrp", "snmp-agent community read cipher %^%#abc%^%#", "snmp-agent community read cipher <S>"),
    ("huawei", " radius-server shared-key cipher %^%#k%^%#", " radius-server shared-key cipher <S>"),
    # HPE
    ("hp_procurve", 'password manager user-name "admin" sha1 "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"',
     'password manager user-name "admin" sha1 <S>'),
    ("hp_procurve", 'snmp-server community "public" unrestricted', "snmp-server community <S> unrestricted"),
    ("aruba_aoscx", "user admin group administrators password ciphertext AQBapWx1", "user admin group administrators password ciphertext <S>"),
    ("hp_comware", " password hash $h$6$abc==", " password hash <S>"),
    ("hp_comware", " snmp-agent community read simple public", " snmp-agent community read simple <S>"),
    # IOS-XR writes "encrypted" before the value
    ("cisco_xr", " message-digest-key 1 md5 encrypted 0822455D0A16", " message-digest-key 1 md5 encrypted <S>"),
    ("cisco_xr", " password encrypted 0822455D0A16", " password encrypted <S>"),
    ("cisco_asa", "snmp-server host inside 192.0.2.250 community asa-ro-7 version 2c",
     "snmp-server host inside 192.0.2.250 community <S> version 2c"),
    ("extreme_exos", 'configure snmpv3 add community "exos-ro" name "exos-ro" user "v1v2c_ro"',
     'configure snmpv3 add community <S> name <S> user "v1v2c_ro"'),
    # PAN-OS SNMP v2c community
    ("paloalto_panos", "                  snmp-community-string pa-ro-7;", "                  snmp-community-string <S>;"),
    # Extreme
    ("extreme_exos", 'configure account admin encrypted "$5$abc"', "configure account admin encrypted <S>"),
    # Forms checked against the vendors' documentation and Oxidized's models
    ("cisco_ios", " standby 1 authentication Hsrp1Plain", " standby 1 authentication <S>"),
    ("cisco_ios", " standby 1 authentication text HsrpText", " standby 1 authentication text <S>"),
    ("cisco_ios", " ip nhrp authentication NhrpKey1", " ip nhrp authentication <S>"),
    ("cisco_ios", " area-password IsisArea1", " area-password <S>"),
    ("cisco_ios", "crypto isakmp key 6 IsakmpSix address 0.0.0.0", "crypto isakmp key 6 <S> address 0.0.0.0"),
    ("cisco_ios", " vrrp 1 authentication md5 key-string 7 0822455D0A16", " vrrp 1 authentication md5 key-string 7 <S>"),
    ("cisco_ios", "snmp-server host 192.0.2.1 informs version 2c InfComm", "snmp-server host 192.0.2.1 informs version 2c <S>"),
    ("arista_eos", " ip ospf message-digest-key 1 sha256 7 0822455D0A16", " ip ospf message-digest-key 1 sha256 7 <S>"),
    ("arista_eos", "snmp-server user u g v3 auth sha512 AuthPass priv aes256 PrivPass",
     "snmp-server user u g v3 auth sha512 <S> priv aes256 <S>"),
    ("arista_eos", "radius-server host 192.0.2.5 key 7 0207165218120E", "radius-server host 192.0.2.5 key 7 <S>"),
    ("arista_eos", "aaa root secret sha512 $6$salt$hash", "aaa root secret sha512 <S>"),
    ("cisco_nxos", "snmp-server host 192.0.2.1 traps version 2c NxComm udp-port 162",
     "snmp-server host 192.0.2.1 traps version 2c <S> udp-port 162"),
    ("cisco_nxos", "snmp-server mib community-map NxMap context ctx1", "snmp-server mib community-map <S> context ctx1"),
    ("cisco_nxos", 'radius-server host 192.0.2.5 key 7 "fewhg12" authentication accounting',
     "radius-server host 192.0.2.5 key 7 <S> authentication accounting"),
    ("cisco_nxos", "no password strength-check", "no password strength-check"),
    ("cisco_xr", "  key-string password 01100F175804", "  key-string password <S>"),
    ("cisco_xr", "  lsp-password hmac-md5 encrypted 0822455D0A16", "  lsp-password hmac-md5 encrypted <S>"),
    ("cisco_xr", "snmp-server user u g v3 auth sha encrypted 0822455D0A16 priv aes 128 encrypted 1511021F0725",
     "snmp-server user u g v3 auth sha encrypted <S> priv aes 128 encrypted <S>"),
    ("cisco_asa", "enable password $sha512$5000$abc==$def== pbkdf2", "enable password <S> pbkdf2"),
    ("cisco_asa", " ikev2 remote-authentication pre-shared-key RemotePsk", " ikev2 remote-authentication pre-shared-key <S>"),
    ("cisco_asa", "failover key FoKey123", "failover key <S>"),
    ("cisco_asa", " ldap-login-password LdapPass1", " ldap-login-password <S>"),
    ("juniper_junos", '        authentication-key 1 type md5 value "$9$ntpKey"; ## SECRET-DATA',
     '        authentication-key <S> type md5 value <S>; ## SECRET-DATA'),
    ("juniper_junos", '    simple-password "$9$simple"; ## SECRET-DATA', '    simple-password <S>; ## SECRET-DATA'),
    ("fortinet", "        set passwd ENC cPcqH0Nm2ZmQy7CNbTqoB5oUJLG9VF2nVv1hLbZl6Rk=", "        set passwd ENC <E>"),
    ("fortinet", "        set secondary-secret ENC bWFkZXVwdmFsdWVmb3J0ZXN0aW5nMTIzNDU2Nzg=", "        set secondary-secret ENC <E>"),
    ("fortinet", "        set auth-pwd ENC eW91ciBrZXkgaGVyZTEyMzQ1Njc4OTAxMjM0NTY=", "        set auth-pwd ENC <E>"),
    ("fortinet", "        set passphrase \"WifiPlain1\"", "        set passphrase <S>"),
    ("paloalto_panos", "            private-key -AQ==QjRkdWVkZXNwcmVhZGtleWZvcnRlc3Q=;", "            private-key <E>;"),
    ("paloalto_panos", "                authkey Vrrp1Key;", "                authkey <S>;"),
    ("mikrotik_routeros", "add authentication-password=SnmpAuth1 encryption-password=SnmpPriv1 name=v3",
     "add authentication-password=<S> encryption-password=<S> name=v3"),
    ("mikrotik_routeros", "add name=peer1 remote.address=192.0.2.1 tcp-md5-key=BgpKey1", "add name=peer1 remote.address=192.0.2.1 tcp-md5-key=<S>"),
    ("mikrotik_routeros", "add ipsec-secret=EoipSecret1 name=eoip1 remote-address=192.0.2.9",
     "add ipsec-secret=<S> name=eoip1 remote-address=192.0.2.9"),
    ("mikrotik_routeros", 'add private-key="wg+Priv1=" listen-port=13231 name=wg1', "add private-key=<S> listen-port=13231 name=wg1"),
    ("mikrotik_routeros", "add allowed-address=10.0.0.2/32 interface=wg1 public-key=\"wgPub=\"",
     "add allowed-address=10.0.0.2/32 interface=wg1 public-key=\"wgPub=\""),
    ("huawei", " security wpa2 psk pass-phrase %^%#wlan%^%# aes", " security wpa2 psk pass-phrase <S> aes"),
    ("huawei", "  authentication-mode md5 1 cipher %^%#ospf%^%#", "  authentication-mode md5 1 cipher <S>"),
    ("huawei", " hwtacacs-server shared-key cipher %@%@tac%@%@", " hwtacacs-server shared-key cipher <S>"),
    ("huawei", " snmp-agent usm-user v3 u authentication-mode sha cipher %^%#a%^%# privacy-mode aes128 cipher %^%#p%^%#",
     " snmp-agent usm-user v3 u authentication-mode sha cipher <S> privacy-mode aes128 cipher <S>"),
    ("hp_procurve", 'radius-server host 192.0.2.5 encrypted-key "U2FsdGVkX1+abc="', "radius-server host 192.0.2.5 encrypted-key <S>"),
    ("hp_procurve", 'snmpv3 user "u" auth sha "AuthPass1" priv aes "PrivPass1"', 'snmpv3 user "u" auth sha <S> priv aes <S>'),
    ("hp_procurve", 'tacacs-server host 192.0.2.49 key "TacKey1"', "tacacs-server host 192.0.2.49 key <S>"),
    ("aruba_aoscx", "tacacs-server host 192.0.2.49 key plaintext TacKey1", "tacacs-server host 192.0.2.49 key plaintext <S>"),
    ("aruba_aoscx", "    ip ospf authentication-key ciphertext AQBapOspf", "    ip ospf authentication-key ciphertext <S>"),
    ("hp_comware", " key authentication simple RadPlain1", " key authentication simple <S>"),
    ("hp_comware", " snmp-agent usm-user v3 u g cipher authentication-mode sha $c$3$a== privacy-mode aes128 $c$3$p==",
     " snmp-agent usm-user v3 u g cipher authentication-mode sha <S> privacy-mode aes128 <S>"),
    ("hp_comware", " super password role network-admin hash $h$6$s==", " super password role network-admin hash <S>"),
    ("hp_comware", " pre-shared-key cipher $c$3$ike==", " pre-shared-key cipher <S>"),
    ("dell_os10", "tacacs-server host 192.0.2.49 key 9 3a95c26b2a5b96a6b80036839f296babe03560f4b0b7220d6454b3e71bdfc59b",
     "tacacs-server host 192.0.2.49 key 9 <S>"),
    ("dell_force10", "enable password 7 b125455cf679b208", "enable password 7 <S>"),
    ("dell_force10", "radius-server key 7 387a7f2df5969da4", "radius-server key 7 <S>"),
    ("extreme_exos", 'configure tacacs primary server 192.0.2.49 client-ip 192.0.2.1 vr VR-Mgmt shared-secret encrypted "tac#$"',
     "configure tacacs primary server 192.0.2.49 client-ip 192.0.2.1 vr VR-Mgmt shared-secret encrypted <S>"),
    ("extreme_exos", "configure snmpv3 add user \"admin\" authentication md5 auth-encrypted localized-key 7a:5b privacy privacy-encrypted "
     "localized-key 3d:4e", "configure snmpv3 add user \"admin\" authentication md5 auth-encrypted localized-key <S> privacy "
     "privacy-encrypted localized-key <S>"),
    # Forms found in real configurations (tests/captures holds the devices they come from)
    ("cisco_xe", " client 10.10.10.10 server-key K3yAbcDyn", " client 10.10.10.10 server-key <S>"),
    ("cisco_xe", " client 10.10.20.20 server-key 7 0822455D0A16", " client 10.10.20.20 server-key 7 <S>"),
    ("cisco_xe", "snmp-server host 192.0.2.35 vrf Mgmt-vrf informs version 2c VrfComm1  tty vtp",
     "snmp-server host 192.0.2.35 vrf Mgmt-vrf informs version 2c <S>  tty vtp"),
    ("arista_eos", "snmp-server host 192.0.2.5 vrf MGMT version 2c VrfComm2", "snmp-server host 192.0.2.5 vrf MGMT version 2c <S>"),
    ("cisco_xe", " security wpa psk set-key ascii 0 WLAN SECR3T", " security wpa psk set-key ascii 0 <S>"),
    ("cisco_xe", " security wpa psk set-key hex 0 7df35f90c92ecff2a803e79577b85e97", " security wpa psk set-key hex 0 <S>"),
    ("cisco_ios", "username ops password 0 PASS W0RD", "username ops password 0 <S>"),
    ("cisco_xe", " mgmtuser username u password 0 MGMT PASSW0RD secret 0 MGMT SECR3T",
     " mgmtuser username u password 0 <S> secret 0 <S>"),
    ("cisco_xe", " dot1x username d password 0 DOT1X PASSW0RD", " dot1x username d password 0 <S>"),
    ("aruba_aoscx", "snmp-server host 192.0.2.31 trap version v2c community TrapComm1",
     "snmp-server host 192.0.2.31 trap version v2c community <S>"),
    ("mikrotik_routeros", "set contact=noc enabled=yes trap-community=TrapComm2", "set contact=noc enabled=yes trap-community=<S>"),
    ("juniper_junos", '                "pasvftp://demo:CorrectHorse@203.0.113.10/backup/";',
     '                "pasvftp://demo:<S>@203.0.113.10/backup/";'),
    ("cisco_ios", " path ftp://backup:Archive-Pass@192.0.2.1/$h", " path ftp://backup:<S>@192.0.2.1/$h"),
    ("hp_procurve", 'snmp-server host 192.0.2.50 community "TrapComm3"', "snmp-server host 192.0.2.50 community <S>"),
    ("hp_procurve", 'snmp-server host 192.0.2.51 "TrapComm4" Not-INFO', "snmp-server host 192.0.2.51 <S> Not-INFO"),
    # by reading: NTP keys of other algorithms, EOS MACsec, Comware trap receivers, VRP ciphertexts without "cipher"
    ("cisco_ios", "ntp authentication-key 1 sha1 7 0822455D0A16", "ntp authentication-key 1 sha1 7 <S>"),
    ("arista_eos", "ntp authentication-key 2 sha1 7 0207165218120E", "ntp authentication-key 2 sha1 7 <S>"),
    ("cisco_xe", "ntp authentication-key 3 hmac-sha2-256 N7pKey1 7", "ntp authentication-key 3 hmac-sha2-256 <S> 7"),
    ("arista_eos", "      key 1234abcd 7 0822455D0A16424C5A5C", "      key 1234abcd 7 <S>"),
    ("hp_comware", " snmp-agent target-host trap address udp-domain 192.0.2.1 params securityname TrapComm5 v2c",
     " snmp-agent target-host trap address udp-domain 192.0.2.1 params securityname <S> v2c"),
    ("huawei", " snmp-agent target-host trap address udp-domain 192.0.2.1 params securityname %^%#a1B~2%^%# v2c",
     " snmp-agent target-host trap address udp-domain 192.0.2.1 params securityname <S> v2c"),
    ("huawei", " local-aaa-server password %^%#Sp ace d%^%#", " local-aaa-server password <S>"),
    ("huawei_vrp", " pre-shared-key %@%@k3y%@%@", " pre-shared-key <S>"),
    ("fortinet", "#private-encryption-key=Priv4teKey", "#private-encryption-key=<S>"),
]


def _shape(text):
    text = re.sub(r"<secret:[0-9a-f]{16}>", "<S>", text)
    return text.replace("<secret:encrypted>", "<E>")


@pytest.mark.parametrize("device_type,line,expected", CORPUS)
def test_secret_line_is_masked_to_its_expected_form(device_type, line, expected):
    assert _shape(profile_for(device_type).mask_secrets(line, KEY)) == expected


def test_marker_is_keyed_and_follows_the_value():
    ios = profile_for("cisco_ios")
    line = "snmp-server community public RO"
    assert ios.mask_secrets(line, KEY) != ios.mask_secrets(line, b"another-install-key-0123456789ab")
    assert ios.mask_secrets(line, KEY) != ios.mask_secrets(line.replace("public", "public2"), KEY)


def test_reencrypted_values_do_not_change_the_hash_but_real_changes_do():
    forti = profile_for("fortinet")
    base = "config system admin\n    edit \"admin\"\n        set password ENC %s\n    next\nend\n"
    one, two = forti.mask_secrets(base % "AAAA1111", KEY), forti.mask_secrets(base % "BBBB2222", KEY)
    assert forti.normalise(one) == forti.normalise(two)
    assert forti.normalise(base % "AAAA1111") == forti.normalise(base % "BBBB2222")  # unmasked too
    assert forti.normalise(one) != forti.normalise(one.replace('"admin"', '"ops"'))


def test_private_key_bodies_are_masked_and_constant():
    forti = profile_for("fortinet")
    text = ('set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0B\nBQ0wPDAbBgkqhkiG\n'
            '-----END ENCRYPTED PRIVATE KEY-----"\nend')
    masked = forti.mask_secrets(text, KEY)
    assert "MIIFHzBJ" not in masked and "-----END ENCRYPTED PRIVATE KEY-----\"" in masked
    assert forti.normalise(masked) == forti.normalise(forti.mask_secrets(text.replace("MIIF", "XXXX"), KEY))


def test_unkeyed_masking_for_session_logs():
    assert profile_for("cisco_ios").mask_secrets("enable secret 5 $1$x$y") == "enable secret 5 <secret>"


def test_routeros_snmp_community_names_are_masked_only_in_their_section():
    ros = profile_for("mikrotik_routeros")
    text = ("/interface bridge\nadd name=bridge1\n/snmp community\nset [ find default=yes ] name=ros-ro-1\n"
            "add addresses=192.0.2.0/24 name=\"ros ro 2\"\n/system identity\nset name=core-ros\n"
            "/snmp community add name=terse-ro")
    masked = ros.mask_secrets(text, KEY)
    assert "ros-ro-1" not in masked and "ros ro 2" not in masked and "terse-ro" not in masked
    assert "add name=bridge1" in masked and "set name=core-ros" in masked


def test_fortios_snmp_community_names_are_masked_in_nested_sections():
    forti = profile_for("fortinet")
    text = ('config system snmp community\n    edit 1\n        set name "forti-ro-1"\n        config hosts\n'
            '            edit 1\n                set ip 192.0.2.1 255.255.255.255\n            next\n        end\n'
            '    next\n    edit 2\n        set name "forti-ro-2"\n    next\nend\nconfig system interface\n'
            '    edit "port1"\n        set name "wan"\n    next\nend')
    masked = forti.mask_secrets(text, KEY)
    assert "forti-ro-1" not in masked and "forti-ro-2" not in masked
    assert 'set name "wan"' in masked and "set ip 192.0.2.1" in masked


@pytest.mark.parametrize("device_type", sorted({entry[0] for entry in CORPUS}))
def test_the_needle_filter_masks_exactly_what_every_rule_on_every_line_masks(device_type):
    """The fast path (only lines holding a rule's literal words) against the plain per-line loop.

    A rule without literal words (the NUL class below, which never matches) sends the profile
    down the loop that tries every rule on every line; both must give the same text.
    """
    profile = profile_for(device_type)
    fields = {f.name: getattr(profile, f.name) for f in dataclasses.fields(Profile) if f.init}
    plain = Profile(**dict(fields, secrets=tuple(profile.secrets) + (r"(?P<secret>[\x00])",)))
    text = "\n".join([line for t, line, _e in CORPUS if t == device_type] + ["", "hostname r1", " description uplink"] * 3)
    assert profile.mask_secrets(text, KEY) == plain.mask_secrets(text, KEY)
    assert profile.mask_secrets(text, KEY) != text


def test_routeros_a_value_wrapped_onto_the_next_line_is_masked_there():
    """/export wraps a long line with "\\" and indents the rest: the value may start the next line."""
    ros = profile_for("mikrotik_routeros")
    text = ('/radius\nadd address=192.0.2.18 comment="NPS server in the second data centre" secret=\\\n'
            "    RadWrap-Secret-77 service=login\n/snmp\nset contact=noc enabled=yes location=\"Riga\" \\\n"
            "    trap-community=community\n/system identity\nset name=r1")
    masked = ros.mask_secrets(text, KEY)
    assert "RadWrap-Secret-77" not in masked and "trap-community=community" not in masked
    assert masked.split("\n")[1].endswith("secret=\\") and masked.split("\n")[2].startswith("    <secret:")
    assert masked.split("\n")[2].endswith(" service=login") and len(masked.split("\n")) == len(text.split("\n"))
    # A value cut by the wrap itself: one marker where it starts, its rest gone from the next line.
    cut = ros.mask_secrets("add name=vpn password=Split\\\n    Value service=l2tp", KEY).split("\n")
    assert _shape(cut[0]) == "add name=vpn password=<S>\\" and cut[1] == "     service=l2tp"


def test_the_routeros_export_comments_on_port_state_are_volatile():
    ros = profile_for("mikrotik_routeros")
    base = "/interface ethernet\nset [ find default-name=ether1 ] poe-out=forced-on\n/ip address\nadd address=10.0.0.1/24 interface=ether2\n"
    noisy = base.replace("forced-on\n", "forced-on\n# poe-out status: short_circuit\n").replace(
        "ether2\n", "ether2\n# Interface not active\n# ether5 not ready\n# inactive time\n")
    assert ros.normalise(noisy) == ros.normalise(base)


def test_vrp8_timestamp_first_line_is_volatile():
    vrp = profile_for("huawei")
    body = "!Software Version V800R021C00SPC100\n#\nsysname ce1\n#\nreturn\n"
    assert vrp.normalise("2024-06-01 10:20:30.123 +08:00\n" + body) == vrp.normalise("2024-06-02 11:21:31.456 +08:00\n" + body)


def test_ios_auto_bandwidth_moves_only_its_own_tunnel_bandwidth():
    ios = profile_for("cisco_ios")
    tunnel = ("interface Tunnel1\n tunnel mode mpls traffic-eng\n tunnel mpls traffic-eng bandwidth %d\n"
              " tunnel mpls traffic-eng auto-bw frequency 300\n!\n")
    static = "interface Tunnel2\n tunnel mode mpls traffic-eng\n tunnel mpls traffic-eng bandwidth %d\n!\nend\n"
    assert ios.normalise(tunnel % 158 + static % 100) == ios.normalise(tunnel % 4711 + static % 100)
    assert ios.normalise(tunnel % 158 + static % 100) != ios.normalise(tunnel % 158 + static % 200)
    assert ios.volatile_lines(tunnel % 158 + static % 100) == [" tunnel mpls traffic-eng bandwidth 158"]


def test_ios_xe_uptimes_are_not_stored():
    ios = profile_for("cisco_xe")
    version = ("Cisco IOS XE Software, Version 17.09.04a\nr1 uptime is 44 weeks, 4 days, 1 hour, 16 minutes\n"
               "Uptime for this control processor is 44 weeks, 4 days, 1 hour, 17 minutes\n"
               "Switch uptime                      : 1 year, 22 weeks, 6 days, 9 hours, 47 minutes\n")
    assert ios.facts_block([version]) == "! show version\n! Cisco IOS XE Software, Version 17.09.04a\n"


def test_junos_escaped_quotes_do_not_end_a_string():
    junos = profile_for("juniper_junos")
    text = 'interfaces {\n    ge-0/0/2 {\n        description "19\\" rack {front}";\n        mtu 9192;\n    }\n}'
    assert junos.end_found(text) is True and junos.is_complete(text)
    assert junos.end_found(text[:-1]) is False


@pytest.mark.parametrize("device_type,command,answer,instead", [
    ("cisco_ios", "show running-config view full",
     "                              ^\n% Invalid input detected at '^' marker.\n", "show running-config"),
    ("cisco_xe", "show running-config view full", "Command authorization failed.\n", "show running-config"),
    ("mikrotik_routeros", "/export show-sensitive", "expected end of command (line 1 column 9)\n", "/export"),
    ("cisco_ios", "show running-config view full", "Building configuration...\n\nhostname r1\n!\nend\n", None),
    ("cisco_ios", "show running-config", "% Invalid input detected at '^' marker.\n", None),
    ("arista_eos", "show running-config", "% Invalid input\n", None),
])
def test_a_refused_command_names_the_one_to_send_instead(device_type, command, answer, instead):
    assert profile_for(device_type).fallback_for(command, answer) == instead
