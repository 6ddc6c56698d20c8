"""Per-device faults: the ways real devices fail a backup run.

Each fault reproduces what the client sees on a real network, so the
collection's error handling is tested against the exceptions netmiko really
raises, not against mocks:

``wrong_password``
    Nothing to simulate: a credential is wrong when it is not in the device's
    accepted list.  Accepted as a fault name so specs can say why.
``closed``
    Nothing listens on the device's address (the port is bound but not
    listening, which reserves it and makes the kernel answer RST):
    connection refused.
``blackhole``
    TCP is accepted and the device never speaks (no SSH banner).
``slow``
    ``latency`` seconds pass before the answer to each command (the echo of
    the command is immediate, like a real tty).  Session set-up commands
    (terminal/screen settings) and empty lines stay prompt so only the
    command under test is slow.
``truncate``
    The session is dropped after ``at`` (a fraction, default 0.5) of the
    ``show running-config`` / ``show configuration`` output.
``bad_kex``
    The device only offers key exchange algorithms the client's paramiko
    does not implement (by default legacy SHA-1 groups, as old devices do).
``long_banner``
    A long pre-login banner (SSH_MSG_USERAUTH_BANNER, ``size`` bytes,
    default 3000) plus the same text as a MOTD before the first prompt.
``legacy_only``
    An IOS 12.x/15.0-era SSH server: only SHA-1 key exchanges
    (diffie-hellman-group14-sha1, -group1-sha1, -group-exchange-sha1), an
    ``ssh-rsa`` host key signed with SHA-1, CBC ciphers and hmac-sha1.
    ``{kex: false}`` / ``{host_key: false}`` / ``{ciphers: false}`` keep that
    part modern, to show each one alone.
``stream``
    The configuration is ``bytes`` long (default 10 MB) and streams steadily
    over ``seconds`` (default 40), as a large configuration over a slow link.
``sticky_pager``
    Paging cannot be turned off: ``terminal length 0`` and its kin are
    accepted and ignored, so long output stops at every ``--More--``.
``auth_hang``
    The password check never answers (a TACACS/ISE server that hangs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

FAULT_NAMES = ("wrong_password", "closed", "blackhole", "slow", "truncate", "bad_kex", "long_banner",
               "legacy_only", "stream", "sticky_pager", "auth_hang")
# What legacy_only offers, part by part (asyncssh names).
LEGACY_KEX = ("diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1", "diffie-hellman-group-exchange-sha1")
LEGACY_CIPHERS = ("aes128-cbc", "aes256-cbc", "3des-cbc")
LEGACY_MACS = ("hmac-sha1",)

# Legacy groups first: that is what an old device offers in real life.  The
# exotic ones are a fallback for paramiko versions that still do SHA-1.
_CANDIDATE_KEX = (
    "diffie-hellman-group1-sha1",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group-exchange-sha1",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group17-sha512",
    "diffie-hellman-group15-sha512",
    "curve448-sha512",
)

_BANNER_PARAGRAPH = (
    "WARNING: This system is for the use of authorized users only. Individuals using this "
    "computer system without authority, or in excess of their authority, are subject to having "
    "all of their activities on this system monitored and recorded by system personnel. In the "
    "course of monitoring individuals improperly using this system, or in the course of system "
    "maintenance, the activities of authorized users may also be monitored. Anyone using this "
    "system expressly consents to such monitoring and is advised that if such monitoring reveals "
    "possible evidence of criminal activity, system personnel may provide the evidence of such "
    "monitoring to law enforcement officials."
)


def unsupported_kex():
    """Return kex algorithms asyncssh offers and the installed paramiko lacks.

    Computed at run time because the answer depends on the paramiko version
    (paramiko 4+ dropped the SHA-1 groups; 3.x still has them).
    """
    import asyncssh  # pylint: disable=import-outside-toplevel

    ours = {alg.decode("ascii") for alg in asyncssh.kex.get_kex_algs()}
    try:
        import paramiko  # pylint: disable=import-outside-toplevel
        theirs = set(getattr(paramiko.Transport, "_kex_info", {}))
    except ImportError:
        theirs = set()
    algs = [alg for alg in _CANDIDATE_KEX if alg in ours and alg not in theirs]
    if not algs:
        raise RuntimeError("no key exchange algorithm found that the installed paramiko lacks")
    return tuple(algs)


def banner_text(size=3000):
    """Return a legal-warning banner of about ``size`` bytes.

    The text avoids ``#``, ``>``, ``%`` and ``$`` so it can never be taken for
    a prompt: netmiko must get past it, not be fooled by it.
    """
    lines = []
    total = 0
    while total < size:
        for start in range(0, len(_BANNER_PARAGRAPH), 78):
            chunk = _BANNER_PARAGRAPH[start:start + 78].strip()
            lines.append(chunk)
            total += len(chunk) + 2
            if total >= size:
                break
        lines.append("")
        total += 2
    return "\r\n".join(lines).rstrip() + "\r\n"


@dataclass(frozen=True)
class Faults:
    """The resolved faults of one device (all off by default)."""

    closed: bool = False
    blackhole: bool = False
    latency: float = 0.0
    truncate: float = 0.0
    kex_algs: tuple = field(default=())
    banner: str = ""
    wrong_password: bool = False
    legacy: tuple = ()  # the parts legacy_only makes SHA-1 era: "kex", "host_key", "ciphers"
    stream_bytes: int = 0
    stream_seconds: float = 0.0
    sticky_pager: bool = False
    auth_hang: bool = False

    @property
    def names(self):
        """Names of the active faults, in FAULT_NAMES order."""
        active = {
            "wrong_password": self.wrong_password, "closed": self.closed,
            "blackhole": self.blackhole, "slow": self.latency > 0,
            "truncate": self.truncate > 0, "bad_kex": bool(self.kex_algs),
            "long_banner": bool(self.banner), "legacy_only": bool(self.legacy),
            "stream": self.stream_bytes > 0, "sticky_pager": self.sticky_pager, "auth_hang": self.auth_hang,
        }
        return [name for name in FAULT_NAMES if active[name]]

    def describe(self):
        """Return a JSON-able description (used by the inventory file)."""
        out = {}
        for name in self.names:
            if name == "slow":
                out[name] = {"latency": self.latency}
            elif name == "truncate":
                out[name] = {"at": self.truncate}
            elif name == "bad_kex":
                out[name] = {"kex": list(self.kex_algs)}
            elif name == "long_banner":
                out[name] = {"size": len(self.banner)}
            elif name == "legacy_only":
                out[name] = {part: part in self.legacy for part in ("kex", "host_key", "ciphers")}
            elif name == "stream":
                out[name] = {"bytes": self.stream_bytes, "seconds": self.stream_seconds}
            else:
                out[name] = True
        return out


def _number(name, value, key, default):
    if value is True or value is None:
        return float(default)
    if isinstance(value, dict):
        value = value.get(key, default)
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"fault {name!r}: {key} must be a number, got {value!r}") from exc


def _param(params, key):
    """``params[key]`` when params is a mapping, else None."""
    return params.get(key) if isinstance(params, dict) else None


def _normalise(value):
    """Turn the accepted spellings into a {name: params} dict."""
    if value in (None, "", [], {}):
        return {}
    if isinstance(value, str):
        return {value: True}
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (list, tuple)):
        merged = {}
        for item in value:
            merged.update(_normalise(item))
        return merged
    raise ValueError(f"faults must be a name, a list or a mapping, got {value!r}")


def parse_faults(value):
    """Parse a spec's ``fault``/``faults`` value into :class:`Faults`.

    Accepted: ``"slow"``, ``["slow", "long_banner"]``,
    ``{"slow": 2.0}``, ``{"slow": {"latency": 2.0}, "truncate": {"at": 0.3}}``,
    ``{"long_banner": {"size": 4000}}`` or ``{"long_banner": {"text": "..."}}``,
    ``{"bad_kex": {"kex": ["diffie-hellman-group1-sha1"]}}``.
    """
    if isinstance(value, Faults):
        return value
    wanted = _normalise(value)
    unknown = sorted(set(wanted) - set(FAULT_NAMES))
    if unknown:
        raise ValueError(f"unknown fault(s) {unknown}; known: {list(FAULT_NAMES)}")
    kwargs = {}
    for name, params in wanted.items():
        if params is False:
            continue
        if name in ("closed", "blackhole", "wrong_password", "sticky_pager", "auth_hang"):
            kwargs[name] = True
        elif name == "legacy_only":
            kwargs["legacy"] = tuple(part for part in ("kex", "host_key", "ciphers")
                                     if not isinstance(params, dict) or params.get(part, True))
        elif name == "stream":
            kwargs["stream_bytes"] = int(_number(name, params, "bytes", 10_000_000))
            kwargs["stream_seconds"] = _number(name, params, "seconds", 40.0)
            if kwargs["stream_bytes"] <= 0 or kwargs["stream_seconds"] <= 0:
                raise ValueError("fault 'stream': bytes and seconds must be > 0")
        elif name == "slow":
            kwargs["latency"] = _number(name, params, "latency", 2.0)
            if kwargs["latency"] <= 0:
                raise ValueError("fault 'slow': latency must be > 0")
        elif name == "truncate":
            kwargs["truncate"] = _number(name, params, "at", 0.5)
            if not 0 < kwargs["truncate"] < 1:
                raise ValueError("fault 'truncate': at must be between 0 and 1 (exclusive)")
        elif name == "bad_kex":
            kex = _param(params, "kex")
            kwargs["kex_algs"] = tuple(kex) if kex else unsupported_kex()
        elif name == "long_banner":
            text = _param(params, "text")
            if text:
                kwargs["banner"] = str(text).replace("\r\n", "\n").replace("\n", "\r\n")
            else:
                kwargs["banner"] = banner_text(int(_number(name, params, "size", 3000)))
    if kwargs.get("closed") and kwargs.get("blackhole"):
        raise ValueError("faults 'closed' and 'blackhole' exclude each other")
    return Faults(**kwargs)
