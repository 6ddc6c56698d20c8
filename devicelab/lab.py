"""The synchronous lab API: ``Lab`` runs a LabServer on a background thread.

Tests are synchronous (netmiko is blocking), so the lab's event loop runs in
a daemon thread and this class offers plain methods.  ``LabBase`` holds the
query API shared with :class:`devicelab.process.LabProcess`, so a test can
switch between an in-process lab and a separate process without changes.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from dataclasses import dataclass, replace

from . import records as _records
from .server import LabServer
from .spec import Credential, lab_from_data


@dataclass(frozen=True)
class DeviceInfo:
    """Where a device is and how to log in to it (an inventory entry)."""

    name: str
    platform: str
    address: str
    port: int
    credentials: tuple
    enable_secret: str | None = None
    hostname: str = ""
    faults: tuple = ()

    @property
    def device_type(self):
        """The netmiko device_type (the lab's platform names are netmiko's)."""
        return self.platform

    @classmethod
    def from_dict(cls, data):
        """Build from an inventory entry."""
        return cls(
            name=data["name"], platform=data["platform"], address=data["address"], port=int(data["port"]),
            credentials=tuple(Credential(c["username"], c.get("password"), int(c.get("privilege", 1)), c.get("public_key"))
                              for c in data.get("credentials", [])),
            enable_secret=data.get("enable_secret"), hostname=data.get("hostname") or data["name"],
            faults=tuple(data.get("faults") or ()),
        )

    def netmiko(self, username=None, password=None, credential=0, **extra):
        """ConnectHandler keyword arguments; defaults to the device's first accepted credential."""
        cred = self.credentials[credential] if self.credentials else Credential("", "")
        params = {
            "device_type": self.platform, "host": self.address, "port": self.port,
            "username": cred.username if username is None else username,
            "password": cred.password if password is None else password,
        }
        if self.enable_secret is not None:
            params["secret"] = self.enable_secret
        params.update(extra)
        return params


class LabBase:
    """Query API shared by Lab (in-process) and LabProcess (subprocess)."""

    def _device_dicts(self):
        raise NotImplementedError

    def _all_records(self):
        raise NotImplementedError

    @property
    def devices(self):
        """{name: DeviceInfo} for every device, in spec order."""
        return {d["name"]: DeviceInfo.from_dict(d) for d in self._device_dicts()}

    def device(self, name):
        """The DeviceInfo of ``name``."""
        for data in self._device_dicts():
            if data["name"] == name:
                return DeviceInfo.from_dict(data)
        raise KeyError(f"no device {name!r} in this lab")

    def address(self, name):
        """The device's own loopback address."""
        return self.device(name).address

    def port(self, name):
        """The device's SSH port."""
        return self.device(name).port

    def netmiko_params(self, name, **kwargs):
        """ConnectHandler kwargs for ``name`` (see DeviceInfo.netmiko)."""
        return self.device(name).netmiko(**kwargs)

    def login_attempts(self, device=None, username=None, accepted=None):
        """Login attempts seen so far (LoginRecord list), optionally filtered."""
        return _records.select(self._all_records(), device, username, accepted)

    def failed_logins(self, device=None, username=None):
        """Rejected login attempts."""
        return self.login_attempts(device, username, accepted=False)

    def accepted_logins(self, device=None, username=None):
        """Successful login attempts."""
        return self.login_attempts(device, username, accepted=True)

    def inventory(self):
        """JSON-able description of the lab (the ``--inventory-out`` format)."""
        raise NotImplementedError

    def write_inventory(self, path):
        """Write :meth:`inventory` as JSON (atomically)."""
        return self.write_json(path, self.inventory())

    @staticmethod
    def write_json(path, doc):
        """Write ``doc`` as JSON via a temporary file and rename, so readers never see half a file."""
        path = os.fspath(path)
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, indent=2)
            handle.write("\n")
        os.replace(tmp, path)
        return path


class Lab(LabBase):
    """A running lab in this process: ``Lab(spec).start()`` ... ``.stop()``.

    ``spec`` is anything :func:`devicelab.spec.lab_from_data` accepts: a
    list of device dicts/DeviceSpecs, or a mapping with ``devices``.
    """

    def __init__(self, spec, port=None, record_path=None, lock_dir=None):
        lab_spec = lab_from_data(spec)
        if port is not None:
            lab_spec = replace(lab_spec, port=int(port))
        self.server = LabServer(lab_spec, record_path=record_path, lock_dir=lock_dir)
        self.record_path = record_path
        self._loop = None
        self._thread = None

    # ---- lifecycle -------------------------------------------------------
    def start(self, timeout=60):
        """Start the event-loop thread and wait until every listener is up."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure = []

        def run():
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.server.start())
            except BaseException as exc:  # pylint: disable=broad-except
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="devicelab", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError(f"lab did not start within {timeout} s")
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    def stop(self, timeout=30):
        """Stop every device and the loop thread.  Idempotent."""
        if self._thread is None:
            return
        loop = self._loop
        if loop.is_running():
            asyncio.run_coroutine_threadsafe(self.server.stop(), loop).result(timeout)
            loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout)
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def running(self):
        """True between start() and stop()."""
        return self._thread is not None and self.server.running

    # ---- queries and changes ---------------------------------------------
    def _device_dicts(self):
        return [dev.info() for dev in self.server.devices.values()]

    def _all_records(self):
        return self.server.recorder.records()

    def inventory(self):
        return self.server.inventory()

    def address(self, name):
        return self.server.device(name).address

    def port(self, name):
        return self.server.device(name).port

    def set_config(self, name, text=None, extra_lines=None):
        """Change the real configuration: replace the body and/or append lines.

        Takes effect on the next fetch.  ``text`` may be a full capture
        (volatile lines and ``end`` are dropped); ``extra_lines`` are added
        after the current body.  JunOS text must keep braces balanced.
        """
        if isinstance(extra_lines, str):
            extra_lines = extra_lines.splitlines()
        self.server.set_config(name, text, extra_lines)

    def reset_config(self, name):
        """Back to the spec's configuration."""
        self.server.device(name).config.reset()

    def config(self, name):
        """The device's stable configuration (no volatile lines)."""
        return self.server.device(name).config.stable()

    def sent_configs(self, name):
        """The latest running configurations the device rendered (up to 16, oldest first), exactly as sent (in-process lab)."""
        return list(self.server.device(name).config.sent)

    def sessions(self, name=None):
        """Open shell sessions now (on one device, or the whole lab)."""
        if name is not None:
            return self.server.device(name).sessions
        return sum(dev.sessions for dev in self.server.devices.values())

    def clear_login_attempts(self):
        """Forget the in-memory login records (a record file keeps its lines)."""
        self.server.recorder.clear()
