# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret forms shared by the Cisco-like CLIs (IOS, NX-OS, IOS-XR, ASA, EOS, Dell).

Each rule finds its keyword anywhere on the line; the value is the named group secret.
"""

_TYPE = r"(?:(?:sha512|[0-9]{1,2}|encrypted|clear) )?"
# An authentication key's algorithm before its value: NTP "authentication-key 1 sha1 7 K", IOS-XE "hmac-sha2-256"
_KEY_ALGORITHM = r"(?: (?:md5|sha\d*|hmac-sha\S*|cmac-aes\S*))?"
# IS-IS on IOS-XR: "lsp-password hmac-md5 encrypted X", "hello-password text clear X"
_ALGORITHM = r"(?:(?:hmac-md5|text) )?"

# A password inside a URL: IOS "archive / path ftp://user:PASS@host/", JunOS "archive-sites { "scp://user:PASS@h/"; }"
URL_PASSWORD = r"://[^/\s:@\"]+:(?P<secret>[^@\s\"]+)@"

CISCO_LIKE_SECRETS = (
    # username ... secret 5 X / password 7 X / password X encrypted / enable secret level 15 5 X / ppp chap password 7 X
    # not the keywords "password encryption aes", NX-OS "password strength-check", "password policy"/"prompt"
    r"\b(?:secret|password)(?! (?:encryption|strength-check|policy|prompt)\b)(?: level \d+)? " + _ALGORITHM + _TYPE
    + r"(?P<secret>\S+)",
    r"\bpasswd (?P<secret>\S+)",
    # IOS-XR: "key-string password 0822455D0A16"
    r"\bkey-string (?:password )?" + _TYPE + r"(?P<secret>\S+)",
    r"\bauthentication text (?P<secret>\S+)",
    # tacacs/radius/server-private/isakmp key; not "key 1" (a key chain entry), "key chain", "crypto key generate",
    # nor the key name of an EOS MACsec "key <ckn> 7 <cak>" (the CAK is the secret: the EOS profile masks it)
    r"(?<![\w-])key (?!chain\b|config-key\b|generate\b|zeroize\b|\d+\s*$|[0-9a-fA-F]+ (?:0|7|8a) \S+(?: fallback)?\s*$)"
    + _TYPE + r"(?P<secret>\S+)",
    # IOS-XR writes "encrypted" or "clear" before the value
    r"\b(?:authentication-key|message-digest-key \d+ (?:md5|sha\d*))(?: \d+)?" + _KEY_ALGORITHM
    + r"(?: encrypted| clear)? " + _TYPE + r"(?P<secret>\S+)",
    # RADIUS dynamic authorization (CoA, every ISE/802.1X switch): " client 10.0.0.1 server-key [7] K"
    r"\bserver-key " + _TYPE + r"(?P<secret>\S+)",
    r"\bsnmp-server community (?P<secret>\S+)",
    # "snmp-server host A [vrf V] [informs|traps] [version 1|2c|3 x] COMMUNITY" (Catalyst 9k: vrf Mgmt-vrf)
    r"\bsnmp-server host \S+ (?:vrf \S+ )?(?:(?:informs|traps) )?(?:version (?:1|2c|3 \S+) )?(?!\S+ community\b)"
    r"(?P<secret>\S+)",
    # ASA: snmp-server host <interface> <address> community <string> [version 2c]
    r"\bsnmp-server host .*?\bcommunity (?:0 |8 )?(?P<secret>\S+)",
    # SNMPv3 users; IOS-XR writes "encrypted" or "clear" before each value
    r"\bauth (?:md5|sha\S*) (?:encrypted |clear )?(?P<secret>\S+)",
    r"\bpriv (?:(?:des|3des|aes(?:-?\d+)?(?: \d+)?) )?(?:encrypted |clear )?(?P<secret>\S+)",
    r"\bpre-shared-key (?:address \S+(?: \S+)? key |local |remote )?" + _TYPE + r"(?P<secret>\S+)",
    r"\bwpa-psk ascii " + _TYPE + r"(?P<secret>\S+)",
    # NX-OS: the community of a community-map; IOS DMVPN: the NHRP key; HSRP plain-text authentication
    r"\bsnmp-server mib community-map (?P<secret>\S+)",
    r"\bnhrp authentication (?P<secret>\S+)",
    r"\bstandby (?:\d+ )?authentication (?!md5\b|text\b)(?P<secret>\S+)",
    URL_PASSWORD,
)
