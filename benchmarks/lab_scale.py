#!/usr/bin/env python
"""Device lab at scale: 500 devices in one process, driven by plain netmiko.

    python benchmarks/lab_scale.py [--devices 500] [--samples 30] [--concurrency 20] [--json]

Starts ``python -m devicelab --devices N`` as a child (LabProcess, so the lab
has its own GIL and its own memory figure) and reports:

* start: wall time from spawning the child to its ``LAB READY`` line (target < 10 s);
* RSS of the lab process, idle and after the concurrent run (target < 400 MB);
* per device, unloaded, one at a time: netmiko ConnectHandler + enable (IOS/EOS) +
  ``show running-config``/``show configuration``, median and p95 (target median < 0.5 s),
  with the connect and the show part separately;
* N concurrent sessions: N threads each connect, all hold their session open at a
  barrier, fetch the config, then disconnect; the wall time of the whole batch.

Exit status 1 when a target is missed.  Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)

from netmiko import ConnectHandler  # noqa: E402  pylint: disable=wrong-import-position
from devicelab import LabProcess  # noqa: E402  pylint: disable=wrong-import-position

TARGETS = {"start_s": 10.0, "rss_mb": 400.0, "median_s": 0.5}


def fetch(dev, barrier=None, **netmiko_kwargs):
    """Connect, enable if needed, fetch the config; returns (connect_s, show_s, chars)."""
    start = time.perf_counter()
    conn = ConnectHandler(**dev.netmiko(**netmiko_kwargs))
    try:
        if dev.platform != "juniper_junos":
            conn.enable()
        connected = time.perf_counter()
        if barrier is not None:
            barrier.wait(timeout=60)
        command = "show configuration" if dev.platform == "juniper_junos" else "show running-config"
        out = conn.send_command(command)
        done = time.perf_counter()
    finally:
        conn.disconnect()
    if not (out.rstrip().endswith("end") or out.rstrip().endswith("}")):
        raise RuntimeError(f"{dev.name}: incomplete configuration")
    return connected - start, done - connected, len(out)


def percentile(values, pct):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(pct / 100 * len(ordered))) - 1))]


def run(args):
    """Run the benchmark; returns the figures as a dict."""
    figures = {"devices": args.devices}
    spawn = time.perf_counter()
    lab = LabProcess(devices=args.devices, start_timeout=120).start()
    try:
        figures["start_s"] = time.perf_counter() - spawn
        figures["rss_idle_mb"] = lab.rss / 1e6
        devices = list(lab.devices.values())
        step = max(1, len(devices) // args.samples)
        sample = devices[::step][:args.samples]
        fetch(sample[0])  # warm-up: imports, first paramiko transport
        totals, connects, shows = [], [], []
        for dev in sample:
            connect_s, show_s, dummy_chars = fetch(dev)
            connects.append(connect_s)
            shows.append(show_s)
            totals.append(connect_s + show_s)
        figures.update({
            "samples": len(totals),
            "connect_show_median_s": statistics.median(totals), "connect_show_p95_s": percentile(totals, 95),
            "connect_median_s": statistics.median(connects), "show_median_s": statistics.median(shows),
        })
        batch = devices[-args.concurrency:]
        barrier = threading.Barrier(len(batch))
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(batch)) as pool:
            results = list(pool.map(lambda d: fetch(d, barrier), batch))
        figures["concurrent_sessions"] = len(results)
        figures["concurrent_wall_s"] = time.perf_counter() - start
        figures["rss_after_mb"] = lab.rss / 1e6
        figures["logins_recorded"] = len(lab.accepted_logins())
    finally:
        figures["exit_status"] = lab.stop()
    return figures


def main(argv=None):
    """Parse arguments, run, print, check targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--samples", type=int, default=30, help="devices timed one at a time")
    parser.add_argument("--concurrency", type=int, default=20, help="sessions held at once")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = run(args)
    missed = []
    if figures["start_s"] >= TARGETS["start_s"]:
        missed.append("start")
    if max(figures["rss_idle_mb"], figures["rss_after_mb"]) >= TARGETS["rss_mb"]:
        missed.append("rss")
    if figures["connect_show_median_s"] >= TARGETS["median_s"]:
        missed.append("per-device median")
    if figures["concurrent_sessions"] != args.concurrency or figures["exit_status"] != 0:
        missed.append("concurrency/clean stop")
    if args.json:
        print(json.dumps(dict(figures, missed=missed), indent=2))
    else:
        print(f"devices                     {figures['devices']}")
        print(f"start (spawn -> READY)      {figures['start_s']:.2f} s   (target < {TARGETS['start_s']:.0f} s)")
        print(f"lab RSS idle / after        {figures['rss_idle_mb']:.1f} MB / {figures['rss_after_mb']:.1f} MB"
              f"   (target < {TARGETS['rss_mb']:.0f} MB)")
        print(f"connect+enable+show, 1 at a time ({figures['samples']} devices)")
        print(f"  median / p95              {figures['connect_show_median_s']:.3f} s / {figures['connect_show_p95_s']:.3f} s"
              f"   (target median < {TARGETS['median_s']} s)")
        print(f"  connect / show median     {figures['connect_median_s']:.3f} s / {figures['show_median_s']:.3f} s")
        print(f"{figures['concurrent_sessions']} concurrent sessions      wall {figures['concurrent_wall_s']:.2f} s")
        print(f"lab exit status             {figures['exit_status']}")
        print("targets                     " + ("all met" if not missed else "MISSED: " + ", ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
