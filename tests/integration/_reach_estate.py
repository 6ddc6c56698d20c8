"""The estate of the reaching-devices tests: devices that need more than a password over direct SSH.

Each lab device stands for one way a real device is reached (an enable secret that differs,
an account without enable, a key-only login, telnet, SHA-1 era SSH, a jump host, the prompt
shapes of Huawei VRP, a pager that stays on, a login that hangs, a configuration that
streams for longer than command_timeout). The estate is described with the collection's
own modules (playbooks/reach/estate.yml) from the variables ``estate_vars`` returns; the
secrets sit in ``reach_secrets``, looked up by credential name, as a vault would hold them.
"""


from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

PASSWORDS = {"ops-en": "Reach-Ops!pw-71c2", "admin15": "Reach-Admin!pw-3a9e", "stale": "Reach-Stale!pw-5d0b",
             "bastion-login": "Reach-Bastion!pw-8e3f"}
ENABLE = "Reach-Enable!sec-9f4d"
OTHER_ENABLE = "Reach-Other!en-2c8a"
KEY_PASSPHRASE = "Reach-Key!phrase-6e1f"

CREDENTIALS = [
    {"name": "ops-en", "username": "ops", "priority": 10, "tags": ["lab", "telnet"]},
    {"name": "admin15", "username": "admin", "priority": 20, "tags": ["lab"]},
    {"name": "kops", "username": "kops", "priority": 10, "tags": ["keyed"]},
    {"name": "stale", "username": "ops", "priority": 5, "tags": ["telnet"]},
    {"name": "bastion-login", "username": "netraven", "priority": 100, "tags": ["bastions"]},
]


def _new_client_key():
    """(private key text, encrypted with KEY_PASSPHRASE; public key line): a fresh ed25519 key pair."""
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.BestAvailableEncryption(KEY_PASSPHRASE.encode())).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return private, public


# Made once, at import: both backends' runs are built in threads side by side, and a lazily cached key
# (lru_cache computes in each thread that misses at once) gave one run's lab one key and its database another.
_CLIENT_KEY = _new_client_key()


def client_key():
    """(private key text, encrypted with KEY_PASSPHRASE; public key line) of the key-only login."""
    return _CLIENT_KEY


def key_lines():
    """The lines of the private key's body: what a leak of the key would show."""
    return [line for line in client_key()[0].splitlines() if line and not line.startswith("-----")]


def secrets_by_name():
    """reach_secrets: each credential's secrets by name."""
    secrets = {name: {"password": password} for name, password in PASSWORDS.items()}
    secrets["ops-en"]["enable_secret"] = ENABLE
    secrets["kops"] = {"private_key": client_key()[0], "private_key_passphrase": KEY_PASSPHRASE}
    return secrets


def every_secret():
    """Every plaintext secret of the estate (the lab's other enable secret too)."""
    return list(PASSWORDS.values()) + [ENABLE, OTHER_ENABLE, KEY_PASSPHRASE] + [line for line in key_lines() if len(line) > 20]


OPS_PRIV1 = {"username": "ops", "password": PASSWORDS["ops-en"], "privilege": 1}
OPS_PRIV15 = dict(OPS_PRIV1, privilege=15)
ADMIN_PRIV15 = {"username": "admin", "password": PASSWORDS["admin15"], "privilege": 15}
LEGACY = {"platform": "cisco_ios", "credentials": [OPS_PRIV1], "enable_secret": ENABLE, "fault": "legacy_only"}

# The configuration that streams steadily: 3 MB over 8 s, longer than command_timeout (of silence) many times over.
STREAM_BYTES = 3000000
COMMAND_TIMEOUT = 3
# name -> (lab spec extras, device row extras, tags, expected status)
DEVICES = {
    "en-diff": ({"credentials": [OPS_PRIV1], "enable_secret": ENABLE}, {}, ["lab"], "SUCCESS"),
    "en-rejected": ({"credentials": [OPS_PRIV1, ADMIN_PRIV15], "enable_secret": OTHER_ENABLE}, {}, ["lab"], "SUCCESS"),
    "no-enable": ({"credentials": [OPS_PRIV1, ADMIN_PRIV15]}, {}, ["lab"], "SUCCESS"),
    "key-only": ({"credentials": [{"username": "kops", "public_key": "KEY", "privilege": 15}]}, {}, ["keyed"], "SUCCESS"),
    "telnet": ({"transport": "telnet", "credentials": [OPS_PRIV1], "enable_secret": ENABLE}, {"transport": "telnet"},
               ["telnet"], "SUCCESS"),
    "legacy": (LEGACY, {"legacy_ssh": True}, ["lab"], "SUCCESS"),
    "legacy-off": (LEGACY, {}, ["lab"], "FAILED_SSH"),
    "cbc-only": (dict(LEGACY, fault={"legacy_only": {"kex": False, "host_key": False}}), {}, ["lab"], "FAILED_SSH"),
    "rsa-only": (dict(LEGACY, fault={"legacy_only": {"kex": False, "ciphers": False}}), {}, ["lab"], "FAILED_SSH"),
    "legacy-by-var": (LEGACY, {}, ["lab", "oldsite"], "SUCCESS"),
    "legacy-by-config": (LEGACY, {}, ["lab"], "SUCCESS"),
    "proxied": ({"credentials": [OPS_PRIV15]}, {}, ["lab"], "SUCCESS"),
    "vrp-angle": ({"platform": "huawei", "prompt": "{host}>", "credentials": [OPS_PRIV15]}, {"device_type": "huawei"},
                  ["lab"], "SUCCESS"),
    "vrp-tilde": ({"platform": "huawei", "prompt": "[~{host}]", "credentials": [OPS_PRIV15]}, {"device_type": "huawei"},
                  ["lab"], "SUCCESS"),
    "pager": ({"credentials": [OPS_PRIV1], "enable_secret": ENABLE, "fault": "sticky_pager"}, {}, ["lab"], "SUCCESS"),
    "auth-hang": ({"credentials": [OPS_PRIV15, ADMIN_PRIV15], "fault": "auth_hang"}, {}, ["lab"], "FAILED_TIMEOUT"),
    "stream": ({"credentials": [OPS_PRIV15], "faults": {"stream": {"bytes": STREAM_BYTES, "seconds": 8}}}, {}, ["lab"],
               "SUCCESS"),
    "behind-down-bastion": ({"credentials": [OPS_PRIV15]}, {"jump_host": "down-bastion"}, ["lab"], "FAILED_UNREACHABLE"),
}


def lab_specs():
    """The lab: one device per entry of DEVICES, and a closed port that stands for a jump host that is down."""
    specs = [{"name": "closed-bastion", "platform": "cisco_ios", "fault": "closed"}]
    for name, (spec, _row, _tags, _status) in DEVICES.items():
        spec = dict({"platform": "cisco_ios"}, **spec, name=name)
        spec["credentials"] = [dict(c, public_key=client_key()[1]) if c.get("public_key") == "KEY" else c
                               for c in spec["credentials"]]
        specs.append(spec)
    return specs


def estate_vars(lab):
    """The variables of playbooks/reach/estate.yml for this lab."""
    devices = []
    for name, (spec, row, tags, _status) in DEVICES.items():
        devices.append(dict({"hostname": name, "ip_address": lab.address(name), "port": lab.port(name),
                             "device_type": spec.get("platform", "cisco_ios"), "tags": tags}, **row))
    return {
        "reach_secrets": secrets_by_name(),
        "reach_credentials": CREDENTIALS,
        "reach_jump_hosts": [{"name": "down-bastion", "host": lab.address("closed-bastion"),
                              "port": lab.port("closed-bastion"), "credential": "bastion-login"}],
        "reach_devices": devices,
    }
