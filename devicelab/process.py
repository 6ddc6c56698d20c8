"""``LabProcess``: the CLI lab as a child process, with the Lab query API.

Benchmarks and ansible-playbook tests keep the lab off the test process's
GIL (and out of its memory figures) by running it as ``python -m devicelab``.
This class starts it, waits for the ``LAB READY`` line, reads addresses
from the inventory file, counts logins from the record file and changes
configurations through the control file + SIGHUP, so code written against
:class:`devicelab.lab.Lab` works unchanged.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from . import records as _records
from .lab import LabBase
from .spec import DeviceSpec, lab_from_data

_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _spec_to_data(spec):
    """Turn Python specs into the JSON spec format for the child."""
    lab = lab_from_data(spec)
    devices = []
    for dev in lab.devices:
        devices.append(_device_to_data(dev))
    return {"port": lab.port, "devices": devices}


def _device_to_data(dev: DeviceSpec):
    faults = dev.faults.describe()
    if "long_banner" in faults:
        faults["long_banner"] = {"text": dev.faults.banner}
    data = {
        "name": dev.name, "platform": dev.platform, "credentials": [c.public() for c in dev.credentials],
        "enable_secret": dev.enable_secret, "address": dev.address, "port": dev.port, "config": dev.config,
        "extra_config": list(dev.extra_config), "faults": faults, "hostname": dev.hostname,
    }
    return {key: value for key, value in data.items() if value not in (None, [], {})}


class LabProcess(LabBase):
    """Run ``python -m devicelab`` in a child process and talk to it through files.

    Give either ``spec`` (anything ``lab_from_data`` accepts, or a path to
    a YAML/JSON spec file) or ``devices`` (a count to generate).
    """

    def __init__(self, spec=None, devices=None, port=None, faults=None, platforms=None,
                 workdir=None, python=None, env=None, lock_dir=None, start_timeout=60):
        if (spec is None) == (devices is None):
            raise ValueError("give exactly one of spec= or devices=")
        self._spec = spec
        self._count = devices
        self._port = port
        self._faults = faults
        self._platforms = platforms
        self._python = python or sys.executable
        self._env = env
        self._lock_dir = lock_dir
        self._start_timeout = start_timeout
        self._own_dir = workdir is None
        self.workdir = os.fspath(workdir) if workdir else None
        self.proc = None
        self.returncode = None
        self._lines = queue.Queue()
        self._inventory = None
        self._control = {"seq": 0, "devices": {}}
        self._final_records = None
        self.ready_line = None
        self._reader_thread = None

    # ---- paths -----------------------------------------------------------
    def _path(self, name):
        return os.path.join(self.workdir, name)

    @property
    def inventory_path(self):
        """The ``--inventory-out`` file."""
        return self._path("inventory.json")

    @property
    def record_path(self):
        """The ``--record`` JSONL file."""
        return self._path("records.jsonl")

    @property
    def control_path(self):
        """The ``--control`` JSON file."""
        return self._path("control.json")

    @property
    def log_path(self):
        """The child's stderr."""
        return self._path("lab.log")

    @property
    def pid(self):
        """The child's process id."""
        return self.proc.pid if self.proc else None

    # ---- lifecycle -------------------------------------------------------
    def _command(self):
        cmd = [self._python, "-m", "devicelab", "--inventory-out", self.inventory_path,
               "--record", self.record_path, "--control", self.control_path, "--exit-with-parent"]
        if self._spec is not None:
            if isinstance(self._spec, (str, os.PathLike)):
                cmd += ["--spec", os.fspath(self._spec)]
            else:
                spec_file = self._path("spec.json")
                LabBase.write_json(spec_file, _spec_to_data(self._spec))
                cmd += ["--spec", spec_file]
        else:
            cmd += ["--devices", str(self._count)]
            if self._faults:
                cmd += ["--faults", ",".join(f"{k}={v}" for k, v in dict(self._faults).items())]
            if self._platforms:
                cmd += ["--platforms", ",".join(self._platforms)]
        if self._port is not None:
            cmd += ["--port", str(self._port)]
        if self._lock_dir:
            cmd += ["--lock-dir", os.fspath(self._lock_dir)]
        return cmd

    def _reader(self):
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _wait_line(self, prefix, timeout):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"lab process: no {prefix!r} line within {timeout} s; log: {self._log_tail()}")
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(f"lab process exited ({self.proc.wait()}) before {prefix!r}; log: {self._log_tail()}")
            if line.startswith(prefix):
                return line

    def _log_tail(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                return handle.read()[-2000:]
        except OSError:
            return ""

    def start(self):
        """Start the child and wait for its READY line."""
        if self.proc is not None:
            return self
        if self.workdir is None:
            self.workdir = tempfile.mkdtemp(prefix="devicelab-")
        os.makedirs(self.workdir, exist_ok=True)
        LabBase.write_json(self.control_path, self._control)
        env = dict(os.environ if self._env is None else self._env)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        with open(self.log_path, "ab") as log_file:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                self._command(), stdout=subprocess.PIPE, stderr=log_file, stdin=subprocess.DEVNULL,
                env=env, text=True, cwd=self.workdir,
            )
        self._reader_thread = threading.Thread(target=self._reader, name="devicelab-stdout", daemon=True)
        self._reader_thread.start()
        try:
            self.ready_line = self._wait_line("LAB READY", self._start_timeout)
            with open(self.inventory_path, encoding="utf-8") as handle:
                self._inventory = json.load(handle)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout=15):
        """SIGTERM the child (SIGKILL after ``timeout``); returns its exit status."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        self._reader_thread.join(5)  # ends at the child's EOF
        self.proc.stdout.close()
        self.proc = None
        self._final_records = _records.read(self.record_path)
        if self._own_dir and self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return self.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- queries and changes ---------------------------------------------
    def _device_dicts(self):
        if self._inventory is None:
            raise RuntimeError("lab process not started")
        return self._inventory["devices"]

    def _all_records(self):
        if self.proc is None and self._final_records is not None:
            return self._final_records
        return _records.read(self.record_path)

    def inventory(self):
        return self._inventory

    def _signal_reload(self, timeout, previous=None):
        self._control["seq"] += 1
        LabBase.write_json(self.control_path, self._control)
        self.proc.send_signal(signal.SIGHUP)
        line = self._wait_line("LAB RELOADED", timeout)
        if line != f"LAB RELOADED seq={self._control['seq']}":
            if previous is not None:  # roll back, so the bad change does not poison later reloads
                self._control["devices"] = previous
                LabBase.write_json(self.control_path, self._control)
            tail = self._log_tail().strip().splitlines()
            raise ValueError(f"lab process reload failed: {tail[-1] if tail else line}")

    def set_config(self, name, text=None, extra_lines=None, timeout=10):
        """Like Lab.set_config, through the control file and SIGHUP; returns once applied.

        Raises ValueError (and leaves the configuration as it was) when the lab
        rejects the change, e.g. JunOS text whose braces do not balance.
        """
        self.device(name)
        previous = json.loads(json.dumps(self._control["devices"]))
        entry = self._control["devices"].setdefault(name, {})
        if text is not None:
            entry["config"] = text
        if extra_lines is not None:
            if isinstance(extra_lines, str):
                extra_lines = extra_lines.splitlines()
            entry["extra_config"] = entry.get("extra_config", []) + list(extra_lines)
        self._signal_reload(timeout, previous)

    def reset_config(self, name, timeout=10):
        """Back to the spec's configuration."""
        self._control["devices"][name] = {}
        self._signal_reload(timeout)

    def reload(self, timeout=10):
        """Ask the child to re-read its spec file (after editing it)."""
        self._signal_reload(timeout)

    @property
    def rss(self):
        """Resident memory of the child in bytes (Linux /proc; None elsewhere)."""
        try:
            with open(f"/proc/{self.pid}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except (OSError, TypeError):
            return None
        return None
