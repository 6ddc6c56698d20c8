"""Lab specifications: which devices exist and how they behave.

A spec is plain data (YAML or JSON file, or Python dicts) so the same lab can
be described for pytest, the CLI, benchmarks and the demo.  Parsing is strict:
a typo in a fault name or platform must fail loudly, not silently give a
healthy device.  See README.md for the format.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace

from .faults import Faults, parse_faults

PLATFORMS = ("cisco_ios", "arista_eos", "juniper_junos")
# Every simulated platform (netmiko device types); PLATFORMS stays the default mix for generated labs.
ALL_PLATFORMS = PLATFORMS + (
    "cisco_xe", "cisco_nxos", "cisco_xr", "cisco_asa", "juniper", "fortinet", "paloalto_panos",
    "mikrotik_routeros", "huawei", "huawei_vrp", "hp_procurve", "aruba_aoscx", "hp_comware",
    "dell_os10", "dell_force10", "extreme_exos", "ubiquiti_edgeswitch",
)
PLATFORM_ALIASES = {"ios": "cisco_ios", "eos": "arista_eos", "junos": "juniper_junos"}
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,62}$")
_DEVICE_KEYS = {
    "name", "platform", "credentials", "enable_secret", "address", "port", "config",
    "extra_config", "fault", "faults", "hostname", "outputs", "transport", "prompt",
}
TRANSPORTS = ("ssh", "telnet")

# Credentials of generated labs: each device accepts one or two of these, so a
# credential chain has to fall through to the right one ("wrong-first").
CREDENTIAL_POOL = (
    ("netops", "N3tops!lab"),
    ("admin", "Adm1n!lab"),
    ("backup", "B4ckup!lab"),
)
GENERATED_ENABLE_SECRET = "En4ble!lab"


@dataclass(frozen=True)
class Credential:
    """A login a device accepts: a password, an SSH public key (``public_key``, OpenSSH text), or both.

    privilege 15 logs straight into enable mode. A credential without a password is key-only.
    """

    username: str
    password: str | None
    privilege: int = 1
    public_key: str | None = None

    def public(self):
        """JSON-able form (the inventory file is test tooling: it carries the password)."""
        data = {"username": self.username, "password": self.password, "privilege": self.privilege}
        if self.public_key:
            data["public_key"] = self.public_key
        return data

    def key_matches(self, key_text):
        """True when ``key_text`` (OpenSSH public key) is this credential's key (type and base64 compared)."""
        return bool(self.public_key) and self.public_key.split()[:2] == key_text.split()[:2]


@dataclass(frozen=True)
class DeviceSpec:
    """What one simulated device is: identity, accepted logins, config and faults."""

    name: str
    platform: str = "cisco_ios"
    credentials: tuple = (Credential("admin", "admin"),)
    enable_secret: str | None = None
    address: str | None = None
    port: int | None = None
    config: str | None = None
    extra_config: tuple = ()
    faults: Faults = field(default_factory=Faults)
    hostname: str | None = None
    # A real device's outputs served verbatim (devicelab/captures.py): (command, text or texts) pairs.
    outputs: tuple = ()
    transport: str = "ssh"  # "telnet": a telnet listener with a real login instead of SSH
    prompt: str | None = None  # the exec prompt, e.g. "{host}>" or "[~{host}]" (default: the platform's)

    @property
    def host(self):
        """The hostname shown in prompts and configuration."""
        return self.hostname or self.name

    def accepts(self, username, password):
        """Return the matching Credential, or None (a wrong login)."""
        for cred in self.credentials:
            if cred.username == username and cred.password is not None and cred.password == password:
                return cred
        return None

    def accepts_key(self, username, key_text):
        """Return the Credential whose public key this is, or None."""
        for cred in self.credentials:
            if cred.username == username and cred.key_matches(key_text):
                return cred
        return None


def _credential(value, where):
    if isinstance(value, Credential):
        return value
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return Credential(str(value[0]), str(value[1]))
    if isinstance(value, dict) and "username" in value and ("password" in value or value.get("public_key")):
        password = value.get("password")
        return Credential(str(value["username"]), None if password is None else str(password),
                          int(value.get("privilege", 1)), value.get("public_key") or None)
    raise ValueError(f"{where}: a credential needs a username and a password or a public_key, got {value!r}")


def _lines(value, where):
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.splitlines())
    if isinstance(value, (list, tuple)):
        return tuple(str(item) for item in value)
    raise ValueError(f"{where}: extra_config must be a string or a list of lines")


def device_from_dict(data, defaults=None):
    """Build a DeviceSpec from a mapping, with ``defaults`` filling gaps."""
    if isinstance(data, DeviceSpec):
        return data
    if not isinstance(data, dict):
        raise ValueError(f"a device must be a mapping, got {data!r}")
    merged = dict(defaults or {})
    merged.update(data)
    unknown = sorted(set(merged) - _DEVICE_KEYS)
    if unknown:
        raise ValueError(f"device {merged.get('name')!r}: unknown key(s) {unknown}")
    name = str(merged.get("name", ""))
    if not _NAME_RE.match(name):
        raise ValueError(f"device name {name!r} must be 1-63 characters: letters, digits, '_', '.', '-'")
    platform = PLATFORM_ALIASES.get(merged.get("platform", "cisco_ios"), merged.get("platform", "cisco_ios"))
    if platform not in ALL_PLATFORMS:
        raise ValueError(f"device {name!r}: platform {platform!r} is not one of {list(ALL_PLATFORMS)}")
    creds = merged.get("credentials") or [{"username": "admin", "password": "admin"}]
    if isinstance(creds, dict):
        creds = [creds]
    port = merged.get("port")
    fault_value = merged.get("faults", merged.get("fault"))
    outputs = merged.get("outputs") or {}
    if not isinstance(outputs, dict) or not all(
            isinstance(k, str) and (isinstance(v, str) or (isinstance(v, (list, tuple)) and v and
                                                           all(isinstance(t, str) for t in v)))
            for k, v in outputs.items()):
        raise ValueError(f"device {name!r}: outputs must map commands to their output text (or a list of texts)")
    transport = merged.get("transport") or "ssh"
    if transport not in TRANSPORTS:
        raise ValueError(f"device {name!r}: transport {transport!r} is not one of {list(TRANSPORTS)}")
    return DeviceSpec(
        name=name,
        platform=platform,
        credentials=tuple(_credential(c, f"device {name!r}") for c in creds),
        enable_secret=None if merged.get("enable_secret") is None else str(merged["enable_secret"]),
        address=merged.get("address"),
        port=None if port in (None, "", "auto") else int(port),
        config=merged.get("config"),
        extra_config=_lines(merged.get("extra_config"), f"device {name!r}"),
        faults=parse_faults(fault_value),
        hostname=merged.get("hostname"),
        outputs=tuple((k, v if isinstance(v, str) else tuple(v)) for k, v in outputs.items()),
        transport=transport,
        prompt=None if merged.get("prompt") is None else str(merged["prompt"]),
    )


@dataclass(frozen=True)
class LabSpec:
    """A whole lab: its devices plus lab-wide settings."""

    devices: tuple
    port: int = 0

    def __post_init__(self):
        names = [dev.name for dev in self.devices]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate device name(s): {dupes}")


def lab_from_data(data):
    """Parse a whole spec: a list of devices, or a mapping with ``devices``."""
    if isinstance(data, LabSpec):
        return data
    if isinstance(data, (list, tuple)):
        data = {"devices": list(data)}
    if not isinstance(data, dict):
        raise ValueError("a lab spec must be a mapping with 'devices' or a list of devices")
    unknown = sorted(set(data) - {"devices", "defaults", "port", "generate"})
    if unknown:
        raise ValueError(f"lab spec: unknown key(s) {unknown}")
    defaults = data.get("defaults") or {}
    devices = [device_from_dict(dev, defaults) for dev in data.get("devices") or []]
    gen = data.get("generate")
    if gen:
        gen = {"count": gen} if isinstance(gen, int) else dict(gen)
        devices.extend(generate(start=len(devices), **gen))
    if not devices:
        raise ValueError("lab spec has no devices")
    port = data.get("port") or 0
    return LabSpec(devices=tuple(devices), port=0 if port == "auto" else int(port))


def load(path):
    """Load a YAML (.yml/.yaml) or JSON spec file."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if os.path.splitext(os.fspath(path))[1].lower() in (".yml", ".yaml"):
        import yaml  # pylint: disable=import-outside-toplevel
        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    return lab_from_data(data)


def parse_fault_mix(text):
    """Parse ``closed=1,slow=2`` (CLI ``--faults``) into {name: count}."""
    mix = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        name, dummy_eq, count = part.partition("=")
        mix[name.strip()] = int(count or 1)
    parse_faults(list(mix))  # validates the names
    return mix


def generate(count, platforms=PLATFORMS, faults=None, start=0, prefix="lab"):
    """Generate ``count`` mixed-platform devices with realistic credentials.

    Device *i* accepts ``CREDENTIAL_POOL[i % 3]`` and every fifth device also
    the next pool entry; the enable secret is ``GENERATED_ENABLE_SECRET``.
    ``faults`` ({name: count}) puts faults on the *last* devices so the first
    ones stay healthy and predictable.
    """
    platforms = [PLATFORM_ALIASES.get(p, p) for p in platforms]
    short = {"cisco_ios": "ios", "arista_eos": "eos", "juniper_junos": "junos"}
    devices = []
    for i in range(start, start + count):
        platform = platforms[i % len(platforms)]
        creds = [CREDENTIAL_POOL[i % 3]]
        if i % 5 == 4:
            creds.append(CREDENTIAL_POOL[(i + 1) % 3])
        devices.append(DeviceSpec(
            name=f"{prefix}-{short.get(platform, platform)}-{i + 1:03d}",
            platform=platform,
            credentials=tuple(Credential(u, p) for u, p in creds),
            enable_secret=GENERATED_ENABLE_SECRET,
        ))
    slot = len(devices)
    for name, number in (faults or {}).items():
        for dummy_index in range(number):
            slot -= 1
            if slot < 0:
                raise ValueError("more faulty devices requested than devices")
            devices[slot] = replace(devices[slot], faults=parse_faults(name))
    return devices
