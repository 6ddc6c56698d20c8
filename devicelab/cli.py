"""``python -m devicelab``: run a lab as its own process.

Benchmarks, the demo and ansible-playbook tests need the lab outside the test
process (its own GIL).  The protocol is deliberately small:

* stdout gets exactly one ``LAB READY devices=N inventory=FILE record=FILE
  pid=PID`` line once every listener is up; everything else goes to stderr.
* ``--inventory-out FILE`` receives JSON with each device's name, address,
  port, platform, credentials and faults (written before the READY line).
* ``--record FILE`` receives one JSON line per login attempt.
* SIGHUP re-reads ``--spec`` (config, credentials, in-session faults) and
  the ``--control`` JSON file, then prints ``LAB RELOADED seq=N``.
* SIGTERM or SIGINT stop the lab cleanly with exit status 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys

from .lab import LabBase
from .server import LabError, LabServer
from .spec import PLATFORMS, LabSpec, generate, load, parse_fault_mix

log = logging.getLogger("devicelab")


def build_parser():
    """The argument parser (separate so the README and tests can show it)."""
    parser = argparse.ArgumentParser(prog="python -m devicelab", description="Run a simulated multi-vendor SSH network.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--devices", type=int, metavar="N", help="generate N mixed-platform devices")
    source.add_argument("--spec", metavar="FILE", help="YAML or JSON lab spec")
    parser.add_argument("--platforms", default=",".join(PLATFORMS),
                        help="platforms to cycle through with --devices (default: %(default)s)")
    parser.add_argument("--faults", default="", metavar="NAME=COUNT,...",
                        help="with --devices: put faults on the last devices, e.g. closed=1,slow=2")
    parser.add_argument("--prefix", default="lab", help="name prefix of generated devices (default: %(default)s)")
    parser.add_argument("--port", type=int, default=None,
                        help="SSH port of every device (default: one free port shared by all devices)")
    parser.add_argument("--inventory-out", metavar="FILE", help="write the devices' addresses and logins as JSON")
    parser.add_argument("--record", metavar="FILE", help="append one JSON line per login attempt")
    parser.add_argument("--control", metavar="FILE", help="JSON config overrides applied at start and on SIGHUP")
    parser.add_argument("--lock-dir", metavar="DIR", help="where address-block locks live (default: $TMPDIR/devicelab-locks)")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the parent process dies (LabProcess sets this: no orphaned labs)")
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (default: %(default)s)")
    return parser


def _load_spec(args):
    if args.spec:
        spec = load(args.spec)
    else:
        if args.devices < 1:
            raise ValueError("--devices must be at least 1")
        platforms = [p.strip() for p in args.platforms.split(",") if p.strip()]
        spec = LabSpec(devices=tuple(generate(args.devices, platforms, parse_fault_mix(args.faults), prefix=args.prefix)))
    if args.port is not None:
        spec = LabSpec(devices=spec.devices, port=args.port)
    return spec


def _say(line):
    """One protocol line on stdout; a reader that went away must not kill the lab."""
    try:
        print(line, flush=True)
    except (BrokenPipeError, ValueError):
        pass


def _read_control(path):
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


class _Runner:
    """Owns the server and reacts to signals (kept small for readability)."""

    def __init__(self, args, spec):
        self.args = args
        self.server = LabServer(spec, record_path=args.record, lock_dir=args.lock_dir)
        self.stop = asyncio.Event()
        self.hup = asyncio.Event()
        self.parent = os.getppid()  # taken now: by the time the loop runs, we may be orphaned already

    def reload(self):
        """SIGHUP: re-read the spec file and the control file."""
        seq = 0
        try:
            if self.args.spec:
                for warning in self.server.apply_spec(load(self.args.spec)):
                    log.warning("%s", warning)
            control = _read_control(self.args.control)
            if control:
                self.server.apply_control(control)
                seq = control.get("seq", 0)
        except (OSError, ValueError) as exc:
            print(f"devicelab: reload failed: {exc}", file=sys.stderr, flush=True)
            seq = -1
        _say(f"LAB RELOADED seq={seq}")

    async def run(self):
        """Start, announce, serve until SIGTERM/SIGINT, stop."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop.set)
        loop.add_signal_handler(signal.SIGHUP, self.hup.set)
        try:
            await self.server.start()
            control = _read_control(self.args.control)
            if control:
                self.server.apply_control(control)
        except (LabError, OSError, RuntimeError, ValueError) as exc:
            print(f"devicelab: cannot start: {exc}", file=sys.stderr, flush=True)
            return 1
        inventory = self.args.inventory_out
        if inventory:
            doc = self.server.inventory(control=self.args.control)
            LabBase.write_json(inventory, doc)
        _say(f"LAB READY devices={len(self.server.devices)} inventory={inventory or '-'} "
             f"record={self.args.record or '-'} pid={os.getpid()}")
        watchdog = asyncio.ensure_future(self._watch_parent()) if self.args.exit_with_parent else None
        while not self.stop.is_set():
            waiters = [asyncio.ensure_future(self.stop.wait()), asyncio.ensure_future(self.hup.wait())]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
            if self.hup.is_set() and not self.stop.is_set():
                self.hup.clear()
                self.reload()
        if watchdog is not None:
            watchdog.cancel()
        await self.server.stop()
        return 0

    async def _watch_parent(self):
        """Stop when re-parented (the process that started us is gone)."""
        while not self.stop.is_set():
            if os.getppid() != self.parent:
                log.warning("parent process %d is gone: stopping", self.parent)
                self.stop.set()
                return
            await asyncio.sleep(0.5)


def main(argv=None):
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("asyncssh").setLevel(logging.WARNING)
    try:
        spec = _load_spec(args)
    except (OSError, ValueError) as exc:
        print(f"devicelab: bad spec: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_Runner(args, spec).run())
