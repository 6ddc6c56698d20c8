"""The lab's asyncio core: many SSH devices served from one event loop.

Why this shape:

* One asyncssh listener per device, each on its own loopback address, all on
  one event loop: hundreds of devices cost little memory and no threads.
* One Ed25519 host key per lab, generated at start and shared by every
  device: key generation is the slow part of starting an SSH server.
* Sockets are bound here, before asyncssh sees them, so a device's port can
  be chosen (lab-wide port, or port 0 and reuse of the port the first device
  got) and ``closed`` devices can hold their address:port bound but not
  listening, which makes the kernel refuse connections reliably.

``LabServer`` is loop-bound; ``devicelab.lab.Lab`` runs it in a thread for
pytest and ``devicelab.cli`` runs it as a process.
"""

from __future__ import annotations

import asyncio
import re
import logging
import os
import socket
import time

import asyncssh

from .addresses import AddressPool
from .captures import CaptureOutputs
from .configs import DeviceConfig
from .faults import LEGACY_CIPHERS, LEGACY_KEX, LEGACY_MACS
from .platforms import PLATFORMS
from .records import Recorder
from .shell import DeviceSession
from .telnet import TelnetDevice
from .spec import lab_from_data

log = logging.getLogger("devicelab")


class LabError(RuntimeError):
    """The lab cannot start as specified (bad spec, address in use...)."""


class DeviceRuntime:
    """A device while the lab runs: its spec plus address, port and config state."""

    def __init__(self, spec, started):
        self.spec = spec
        self.platform = PLATFORMS[spec.platform]
        self.config = DeviceConfig(spec)
        self.captures = CaptureOutputs(spec.outputs) if spec.outputs else None
        # Configuration changes made by a session (FortiOS console output mode): a backup must make none.
        self.changes = []
        self.started = started
        self.address = spec.address
        self.port = None
        self.sessions = 0

    def info(self):
        """Public description (the inventory entry)."""
        return {
            "name": self.spec.name,
            "hostname": self.spec.host,
            "platform": self.spec.platform,
            "device_type": self.spec.platform,
            "address": self.address,
            "port": self.port,
            "credentials": [c.public() for c in self.spec.credentials],
            "enable_secret": self.spec.enable_secret,
            "faults": self.spec.faults.describe(),
            "transport": self.spec.transport,
        }


class _DeviceServer(asyncssh.SSHServer):
    """Per-connection auth handler: checks credentials and records attempts."""

    def __init__(self, lab, device):
        self._lab = lab
        self._dev = device
        self._conn = None
        self._username = ""
        self._privilege = 1
        self._rows = None
        self._key_login = None

    def connection_made(self, conn):
        self._conn = conn
        self._lab.connections.add(conn)

    def connection_lost(self, exc):
        self._lab.connections.discard(self._conn)

    def begin_auth(self, username):
        banner = self._dev.spec.faults.banner
        if banner:
            self._conn.send_auth_banner(banner)
        return True

    def password_auth_supported(self):
        return True

    def public_key_auth_supported(self):
        return True

    def validate_public_key(self, username, key):
        """A key login: the device's credential with this public key (recorded once, as method publickey)."""
        cred = self._dev.spec.accepts_key(username, key.export_public_key().decode("ascii"))
        if cred is None:
            self._lab.recorder.record(self._dev.spec.name, self._dev.address, self._dev.port, username, False,
                                      method="publickey")
            return False
        self._key_login = (username, cred)
        return True

    def auth_completed(self):
        if self._key_login is not None and self._username == "":
            username, cred = self._key_login
            self._username, self._privilege = username, cred.privilege
            self._lab.recorder.record(self._dev.spec.name, self._dev.address, self._dev.port, username, True,
                                      method="publickey")

    def validate_password(self, username, password):
        if self._dev.spec.faults.auth_hang:
            # A TACACS/ISE server that never answers: the client's auth timeout decides.
            return asyncio.get_running_loop().create_future()
        if self._dev.spec.platform == "mikrotik_routeros":
            # netmiko logs in to RouterOS as "admin+ct511w4098h" (console options: colours off,
            # 511 columns, 4098 rows, so no pager); RouterOS strips them from the name.
            username, _plus, options = username.partition("+")
            rows = re.search(r"(\d+)h", options)
            self._rows = int(rows.group(1)) if rows else None
        cred = self._dev.spec.accepts(username, password)
        self._lab.recorder.record(self._dev.spec.name, self._dev.address, self._dev.port, username, cred is not None)
        if cred is not None:
            self._username, self._privilege = username, cred.privilege
        return cred is not None

    def session_requested(self):
        session = DeviceSession(self._dev, self._username, self._privilege)
        if self._rows is not None:
            session.state.length = self._rows
        return session


class _Silent(asyncio.Protocol):
    """``blackhole``: accept the TCP connection and never say a word."""

    def __init__(self, lab):
        self._lab = lab
        self._transport = None

    def connection_made(self, transport):
        self._transport = transport
        self._lab.silent.add(transport)

    def connection_lost(self, exc):
        self._lab.silent.discard(self._transport)


def _bind(address, port, reuse=True):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if reuse:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def raise_fd_limit(wanted):
    """Lift the soft open-files limit towards ``wanted`` (one socket per device)."""
    try:
        import resource  # pylint: disable=import-outside-toplevel
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < wanted:
            target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ImportError, ValueError, OSError):
        pass


class LabServer:
    """All devices of one lab, served on the running event loop."""

    def __init__(self, spec, record_path=None, lock_dir=None, lab_id=None):
        self.spec = lab_from_data(spec)
        self.lab_id = lab_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.recorder = Recorder(record_path, self.lab_id)
        self.started = time.time()
        self.devices = {d.name: DeviceRuntime(d, self.started) for d in self.spec.devices}
        self.connections = set()
        self.silent = set()
        self.telnets = set()  # the TCP transports of telnet sessions
        self._pool = AddressPool(lock_dir)
        self._servers = []
        self._reserved = []
        self.host_key = None
        self.rsa_host_key = None  # made on first use: only a legacy_only device serves an ssh-rsa host key
        self.running = False

    # ---- start -----------------------------------------------------------
    def _assign_addresses(self):
        auto = [d for d in self.devices.values() if not d.address]
        for dev, addr in zip(auto, self._pool.reserve(len(auto))):
            dev.address = addr
        seen = {}
        for dev in self.devices.values():
            if dev.address in seen:
                raise LabError(f"devices {seen[dev.address]!r} and {dev.spec.name!r} share address {dev.address}")
            seen[dev.address] = dev.spec.name

    def _bind_all(self):
        """Bind every device socket; returns [(device, socket)]."""
        lab_port = self.spec.port
        shared = lab_port or None
        bound = []
        for dev in self.devices.values():
            fixed = dev.spec.port or lab_port
            want = fixed or shared or 0
            closed = dev.spec.faults.closed
            try:
                sock = _bind(dev.address, want, reuse=not closed)
            except OSError as exc:
                if fixed:
                    raise LabError(f"device {dev.spec.name!r}: cannot bind {dev.address}:{want}: {exc}") from exc
                sock = _bind(dev.address, 0, reuse=not closed)
            dev.port = sock.getsockname()[1]
            if shared is None and not dev.spec.port:
                shared = dev.port
            bound.append((dev, sock))
        return bound

    def _legacy_options(self, parts):
        """asyncssh.listen options of an IOS 12.x-era server: SHA-1 kex, an ssh-rsa host key, CBC (as parts says)."""
        options = {}
        if "kex" in parts:
            options["kex_algs"] = list(LEGACY_KEX)
        if "host_key" in parts:
            if self.rsa_host_key is None:
                # An RSA host key that signs with SHA-1 (ssh-rsa) only, as IOS 12.x does: no rsa-sha2-256/512.
                keypair = asyncssh.load_keypairs([asyncssh.generate_private_key("ssh-rsa", key_size=2048)])[0]
                keypair.host_key_algorithms = keypair.sig_algorithms = (b"ssh-rsa",)
                self.rsa_host_key = keypair
            options.update(server_host_keys=[self.rsa_host_key])
        if "ciphers" in parts:
            options.update(encryption_algs=list(LEGACY_CIPHERS), mac_algs=list(LEGACY_MACS))
        return options

    async def _serve(self, dev, sock):
        faults = dev.spec.faults
        if faults.closed:
            self._reserved.append(sock)
            return
        if faults.blackhole:
            loop = asyncio.get_running_loop()
            self._servers.append(await loop.create_server(lambda: _Silent(self), sock=sock, backlog=128))
            return
        if dev.spec.transport == "telnet":
            loop = asyncio.get_running_loop()
            self._servers.append(await loop.create_server(lambda: TelnetDevice(self, dev), sock=sock, backlog=128))
            return
        extra = {"kex_algs": list(faults.kex_algs)} if faults.kex_algs else {}
        extra.update(self._legacy_options(faults.legacy))
        extra.setdefault("server_host_keys", [self.host_key])
        self._servers.append(await asyncssh.listen(
            sock=sock, server_factory=lambda: _DeviceServer(self, dev), server_version=dev.platform.ssh_version,
            line_editor=False, allow_scp=False, agent_forwarding=False, x11_forwarding=False, sftp_factory=None,
            login_timeout=60, backlog=128, **extra,
        ))

    async def start(self):
        """Bind and start every device; returns when all listeners are up."""
        raise_fd_limit(len(self.devices) * 2 + 512)
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        try:
            self._assign_addresses()
            bound = self._bind_all()
            await asyncio.gather(*(self._serve(dev, sock) for dev, sock in bound))
        except BaseException:
            await self.stop()
            raise
        self.running = True
        return self

    # ---- stop ------------------------------------------------------------
    async def stop(self):
        """Close listeners and sessions, release addresses.  Idempotent."""
        self.running = False
        for server in self._servers:
            server.close()
        for conn in list(self.connections):
            conn.abort()
        for transport in list(self.silent) + list(self.telnets):
            transport.abort()
        for server in self._servers:
            try:
                await asyncio.wait_for(server.wait_closed(), 5)
            except (asyncio.TimeoutError, OSError):
                pass
        self._servers = []
        for sock in self._reserved:
            sock.close()
        self._reserved = []
        self._pool.release()
        self.recorder.close()

    def inventory(self, **lab_info):
        """The inventory document: lab facts plus every device's entry."""
        info = {"pid": os.getpid(), "id": self.lab_id, "started": self.started,
                "record": self.recorder.path, "port": self.spec.port}
        info.update(lab_info)
        return {"lab": info, "devices": [dev.info() for dev in self.devices.values()]}

    # ---- live changes ----------------------------------------------------
    def set_config(self, name, text=None, extra_lines=None, replace_extra=False):
        """Change a device's configuration (see DeviceConfig.set)."""
        self.device(name).config.set(text, extra_lines, replace_extra)

    def device(self, name):
        """The DeviceRuntime called ``name`` (KeyError with the known names otherwise)."""
        try:
            return self.devices[name]
        except KeyError:
            raise KeyError(f"no device {name!r} in this lab (have: {sorted(self.devices)[:10]}...)") from None

    def apply_spec(self, spec):
        """Apply a re-read spec to the running lab (SIGHUP).

        Credentials, enable secret, configuration and in-session faults
        (slow, truncate, long_banner) change live.  Added or removed devices
        and listener faults (closed, blackhole, bad_kex) need a restart;
        they are reported in the returned warnings.
        """
        spec = lab_from_data(spec)
        warnings = []
        new = {d.name: d for d in spec.devices}
        for name in sorted(set(new) ^ set(self.devices)):
            warnings.append(f"device {name!r} added or removed: restart the lab to apply")
        for name, dspec in new.items():
            dev = self.devices.get(name)
            if dev is None:
                continue
            old = dev.spec
            keep = {"closed": old.faults.closed, "blackhole": old.faults.blackhole, "kex": old.faults.kex_algs}
            if keep != {"closed": dspec.faults.closed, "blackhole": dspec.faults.blackhole, "kex": dspec.faults.kex_algs}:
                warnings.append(f"device {name!r}: listener faults change only on restart")
            if dspec.platform != old.platform:
                warnings.append(f"device {name!r}: platform changes only on restart")
                continue
            dev.spec = dspec
            if (dspec.config, dspec.extra_config, dspec.credentials, dspec.enable_secret) != (
                    old.config, old.extra_config, old.credentials, old.enable_secret):
                dev.config.spec = dspec
                dev.config.reset()
        return warnings

    def apply_control(self, control):
        """Apply a control document ``{"devices": {name: {"config", "extra_config"}}}``.

        The document is the full desired override state, so applying it twice
        is harmless.
        """
        for name, entry in (control.get("devices") or {}).items():
            if name not in self.devices:
                continue
            dev = self.devices[name]
            dev.config.reset()
            dev.config.set(entry.get("config"), entry.get("extra_config") or [])
