"""Device configurations: a stable body plus volatile lines on every fetch.

A backup tool must tell a real change from noise.  Real devices put noise in
every fetch (IOS ``! Last configuration change at``, ``ntp clock-period``,
JunOS ``## Last commit``), so the lab renders those lines fresh on each
``show running-config`` / ``show configuration`` while the body only changes
when a test changes it (:meth:`DeviceConfig.set`, SIGHUP reload, or IOS/EOS
configuration mode).

Bodies are generated deterministically from the device name so a lab is
reproducible; secrets appear only as crypt-looking hashes of the password,
never in clear text.
"""

from __future__ import annotations

import collections
import hashlib
import random
import re
import threading
import time
import zlib

_CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_IOS_VOLATILE = re.compile(
    r"^(! Last configuration change at |! NVRAM config last updated at |ntp clock-period |"
    r"Building configuration\.\.\.|Current configuration : |! Command: show running-config|! device: )"
)
_JUNOS_VOLATILE = re.compile(r"^## Last (commit|changed): ")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fake_crypt(secret, prefix="$1$", salt_len=4, hash_len=22, seed=""):
    """Return a crypt(3)-looking hash of ``secret`` (deterministic, not real md5-crypt)."""
    digest = hashlib.sha512(f"{seed}|{secret}".encode("utf-8")).digest()
    chars = "".join(_CRYPT_ALPHABET[b % 64] for b in digest * 2)
    return f"{prefix}{chars[:salt_len]}${chars[salt_len:salt_len + hash_len]}"


def _octets(name):
    """Two stable octets derived from the device name (addresses in the config)."""
    crc = zlib.crc32(name.encode("utf-8"))
    return 1 + crc % 250, 1 + (crc >> 8) % 250


def ios_body(spec):
    """A realistic IOS running-config body (no volatile lines, no final ``end``)."""
    a, b = _octets(spec.name)
    users = "\n".join(
        f"username {c.username} privilege 15 secret 5 {fake_crypt(c.password, seed=c.username)}"
        for c in spec.credentials
    )
    enable = f"enable secret 5 {fake_crypt(spec.enable_secret, seed='enable')}\n!\n" if spec.enable_secret else ""
    interfaces = "".join(
        f"interface GigabitEthernet0/{i}\n description {desc}\n ip address 10.{a}.{b + i}.1 255.255.255.0\n"
        f" duplex auto\n speed auto\n!\n"
        for i, desc in enumerate(("uplink to core", "server vlan", "lab access"))
    )
    return (
        f"version 15.2\nservice timestamps debug datetime msec\nservice timestamps log datetime msec\n"
        f"no service password-encryption\n!\nhostname {spec.host}\n!\nboot-start-marker\nboot-end-marker\n!\n"
        f"{enable}{users}\n!\nno aaa new-model\n!\nip cef\nno ip domain lookup\nip domain name lab.example\n!\n"
        f"interface Loopback0\n ip address 10.255.{a}.{b} 255.255.255.255\n!\n{interfaces}"
        f"router ospf 1\n router-id 10.255.{a}.{b}\n network 10.{a}.0.0 0.0.255.255 area 0\n!\n"
        f"ip forward-protocol nd\nno ip http server\nno ip http secure-server\n!\nip ssh version 2\n!\n"
        f"logging host 10.{a}.{b}.250\n!\nsnmp-server community netraven-ro RO\n"
        f"snmp-server location Lab rack {a % 12 + 1}\nsnmp-server contact noc@lab.example\n!\n"
        f"line con 0\n logging synchronous\nline vty 0 4\n login local\n transport input ssh\n!\n"
        f"ntp server 10.{a}.0.123\n!"
    )


def eos_body(spec):
    """A realistic EOS running-config body (no volatile lines, no final ``end``)."""
    a, b = _octets(spec.name)
    users = "\n".join(
        f"username {c.username} privilege 15 role network-admin secret sha512 "
        f"{fake_crypt(c.password, '$6$', 16, 86, c.username)}"
        for c in spec.credentials
    )
    enable = (f"enable password sha512 {fake_crypt(spec.enable_secret, '$6$', 16, 86, 'enable')}\n!\n"
              if spec.enable_secret else "")
    interfaces = "".join(
        f"interface Ethernet{i}\n   description {desc}\n   no switchport\n   ip address 10.{a}.{b + i}.1/31\n!\n"
        for i, desc in enumerate(("spine-1", "spine-2", "server-rack"), start=1)
    )
    return (
        f"! boot system flash:/vEOS-lab.swi\n!\nno aaa root\n!\n{users}\n!\n"
        f"transceiver qsfp default-mode 4x10G\n!\nservice routing protocols model multi-agent\n!\n"
        f"hostname {spec.host}\nip name-server vrf default 10.{a}.0.53\n!\nspanning-tree mode mstp\n!\n"
        f"{enable}snmp-server community netraven-ro ro\nsnmp-server location Lab row {b % 8 + 1}\n!\n"
        f"{interfaces}interface Loopback0\n   ip address 10.255.{a}.{b}/32\n!\n"
        f"interface Management1\n   ip address 10.{a}.{b}.10/24\n!\nip routing\n!\n"
        f"ntp server 10.{a}.0.123\n!\nrouter bgp 650{a % 100:02d}\n   router-id 10.255.{a}.{b}\n"
        f"   neighbor 10.{a}.{b + 1}.0 remote-as 65000\n!\nmanagement api http-commands\n   no shutdown\n!"
    )


def junos_body(spec):
    """A realistic JunOS configuration in brace style (no ``## Last commit`` line)."""
    a, b = _octets(spec.name)
    users = "".join(
        f"        user {c.username} {{\n            uid {2000 + i};\n            class super-user;\n"
        f"            authentication {{\n                encrypted-password "
        f"\"{fake_crypt(c.password, '$6$', 16, 86, c.username)}\"; ## SECRET-DATA\n            }}\n        }}\n"
        for i, c in enumerate(spec.credentials)
    )
    ifaces = "".join(
        f"    ge-0/0/{i} {{\n        description \"{desc}\";\n        unit 0 {{\n            family inet {{\n"
        f"                address 10.{a}.{b + i}.1/31;\n            }}\n        }}\n    }}\n"
        for i, desc in enumerate(("uplink to core", "peer link"))
    )
    return (
        f"version 20.4R3.8;\nsystem {{\n    host-name {spec.host};\n    root-authentication {{\n"
        f"        encrypted-password \"{fake_crypt('root', '$6$', 16, 86, spec.name)}\"; ## SECRET-DATA\n    }}\n"
        f"    login {{\n{users}    }}\n    services {{\n        ssh {{\n            root-login deny;\n        }}\n"
        f"        netconf {{\n            ssh;\n        }}\n    }}\n    syslog {{\n        user * {{\n"
        f"            any emergency;\n        }}\n        file messages {{\n            any notice;\n"
        f"            authorization info;\n        }}\n    }}\n    ntp {{\n        server 10.{a}.0.123;\n    }}\n}}\n"
        f"interfaces {{\n{ifaces}    lo0 {{\n        unit 0 {{\n            family inet {{\n"
        f"                address 10.255.{a}.{b}/32;\n            }}\n        }}\n    }}\n}}\n"
        f"snmp {{\n    location \"Lab rack {a % 12 + 1}\";\n    community netraven-ro {{\n"
        f"        authorization read-only;\n    }}\n}}\nrouting-options {{\n    router-id 10.255.{a}.{b};\n}}\n"
        f"protocols {{\n    ospf {{\n        area 0.0.0.0 {{\n            interface ge-0/0/0.0;\n"
        f"            interface lo0.0 {{\n                passive;\n            }}\n        }}\n    }}\n}}"
    )


def check_braces(text):
    """Raise ValueError unless ``{``/``}`` balance (ignoring quoted strings and comments)."""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line).split("##", 1)[0]
        for char in code:
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth < 0:
                raise ValueError(f"unbalanced braces: unexpected '}}' on line {number}")
    if depth:
        raise ValueError(f"unbalanced braces: {depth} block(s) left open")


_JUNOS_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|##[^\n]*|/\*.*?\*/|[{};]|[^\s{};"]+', re.S)


def junos_display_set(text):
    """Convert brace-style JunOS configuration to ``set`` commands."""
    out, path, words = [], [], []
    for match in _JUNOS_TOKEN.finditer(text):
        token = match.group(0)
        if token.startswith(("##", "/*")):
            continue
        if token == "{":
            path.append(" ".join(words))
            words = []
        elif token == "}":
            if path:
                path.pop()
            words = []
        elif token == ";":
            out.append(" ".join(["set"] + path + words))
            words = []
        else:
            words.append(token)
    return "\n".join(out)


def _ios_stamp(epoch):
    tm = time.gmtime(epoch)
    return (f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} UTC {_DAYS[tm.tm_wday]} "
            f"{_MONTHS[tm.tm_mon - 1]} {tm.tm_mday} {tm.tm_year}")


_GENERATORS = {"cisco_ios": ios_body, "arista_eos": eos_body, "juniper_junos": junos_body}
_FAMILIES = {"cisco_xe": "cisco_ios", "juniper": "juniper_junos"}


def _family(platform):
    """The classic platform whose grammar and configuration an alias shares."""
    return _FAMILIES.get(platform, platform)


class DeviceConfig:
    """The configuration state of one device; thread-safe (set from tests, read by the loop)."""

    def __init__(self, spec):
        self.spec = spec
        self.platform = spec.platform
        self.junos = _family(spec.platform) == "juniper_junos"
        self._lock = threading.Lock()
        self._rng = random.Random(zlib.crc32(spec.name.encode("utf-8")))
        self._last_stamp = 0
        self._last_period = 0
        self.sent = collections.deque(maxlen=16)  # the latest rendered running configurations (tests compare backups with them)
        self._body = ""
        self._extra = []
        self.reset()

    def reset(self):
        """Back to the spec's configuration (generated unless the spec gives one)."""
        from .vendor_configs import BODIES  # pylint: disable=import-outside-toplevel
        generate = BODIES[self.platform][0] if self.platform in BODIES else _GENERATORS[_family(self.platform)]
        self.set(self.spec.config if self.spec.config else generate(self.spec),
                 list(self.spec.extra_config), replace_extra=True)

    def _normalise(self, text):
        from .vendor_configs import BODIES, VOLATILE  # pylint: disable=import-outside-toplevel
        lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
        if self.platform in BODIES:
            lines = [ln for ln in lines if not VOLATILE.match(ln)]
            while lines and not lines[-1]:
                lines.pop()
            if self.platform in ("cisco_xr", "dell_force10") and lines and lines[-1] == "end":
                lines.pop()
            return "\n".join(lines).lstrip("\n")
        volatile = _JUNOS_VOLATILE if self.junos else _IOS_VOLATILE
        lines = [ln for ln in lines if not volatile.match(ln)]
        while lines and lines[-1] in ("", "end"):
            lines.pop()
        while lines and lines[0] in ("", "!") and not self.junos:
            lines.pop(0)
        while lines and not lines[0]:
            lines.pop(0)
        body = "\n".join(lines)
        if self.junos:
            check_braces(body)
        return body

    def set(self, text=None, extra_lines=None, replace_extra=False):
        """Replace the body (``text``) and/or add lines (``extra_lines``).

        ``text`` may be a full ``show running-config`` capture: volatile
        lines, the header and the final ``end`` are dropped (they are
        rendered fresh on each fetch).  ``extra_lines`` are appended after
        the body (before ``end``); for JunOS they must be brace statements
        and the result must keep braces balanced.
        """
        with self._lock:
            body = self._body if text is None else self._normalise(text)
            if extra_lines is None:
                extra = [] if replace_extra else list(self._extra)
            else:
                extra = ([] if replace_extra else list(self._extra)) + [str(x) for x in extra_lines]
            if self.junos:
                check_braces("\n".join([body] + extra))
            self._body, self._extra = body, extra

    def apply_cli(self, line):
        """Apply one IOS/EOS configuration-mode line (``no X`` removes line ``X``)."""
        with self._lock:
            stripped = line.strip()
            if stripped.startswith("no "):
                target = stripped[3:].strip()
                for store in (self._extra,):
                    for idx, existing in enumerate(store):
                        if existing.strip() == target:
                            del store[idx]
                            return
                body = self._body.split("\n")
                for idx, existing in enumerate(body):
                    if existing.strip() == target:
                        del body[idx]
                        self._body = "\n".join(body)
                        return
            self._extra.append(line.rstrip())

    def stable(self):
        """The configuration without volatile lines: what a backup should store."""
        with self._lock:
            return "\n".join([self._body] + self._extra)

    def _next_volatile(self):
        with self._lock:
            stamp = max(int(time.time()), self._last_stamp + 1)
            self._last_stamp = stamp
            period = self._last_period
            while period == self._last_period:
                period = self._rng.randint(17179000, 17180999)
            self._last_period = period
        return stamp, period

    def running(self):
        """Render the output of ``show running-config`` / ``show configuration`` (kept in ``sent``)."""
        text = self._render()
        with self._lock:
            self.sent.append(text)
        return text

    def _render(self):
        from .vendor_configs import BODIES  # pylint: disable=import-outside-toplevel
        stamp, period = self._next_volatile()
        text = self.stable()
        if self.platform in BODIES:
            return BODIES[self.platform][1](text, stamp, self.spec)
        if self.junos:
            when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp))
            return f"## Last commit: {when} by admin\n{text}\n"
        lines = text.split("\n")
        at = next((i for i, ln in enumerate(lines) if ln.startswith("ntp server")), None)
        clock = f"ntp clock-period {period}"
        if at is None:
            lines += [clock, "!"]
        else:
            lines.insert(at, clock)
        body = "\n".join(lines)
        change = f"! Last configuration change at {_ios_stamp(stamp)} by admin"
        if self.platform == "arista_eos":
            return (f"! Command: show running-config\n! device: {self.spec.host} (vEOS-lab, EOS-4.30.1F)\n!\n"
                    f"{change}\n!\n{body}\nend\n")
        current = f"!\n{change}\n!\n{body}\nend\n"
        return f"Building configuration...\n\nCurrent configuration : {len(current)} bytes\n{current}"

    def display_set(self):
        """JunOS ``show configuration | display set``."""
        return junos_display_set(self.stable()) + "\n"
