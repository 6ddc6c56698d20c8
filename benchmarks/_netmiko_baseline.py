#!/usr/bin/env python
"""The baseline of backup_throughput.py: a plain threaded netmiko script, no Ansible, no database.

    python benchmarks/_netmiko_baseline.py FLEET.json WORKERS

FLEET.json: [{"host", "port", "device_type", "chain": [{"username", "password"}]}]. Each
worker logs in with the chain in order (next credential only on a rejected login),
fetches the configuration and disconnects: the same device work the collection does.
Prints one JSON line: {"ok": n, "failed": n}.
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor

from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException

COMMANDS = {"juniper_junos": "show configuration"}


def backup(device):
    """Return True when the configuration was fetched."""
    for credential in device["chain"]:
        try:
            connection = ConnectHandler(device_type=device["device_type"], host=device["host"], port=device["port"],
                                        username=credential["username"], password=credential["password"],
                                        use_keys=False, allow_agent=False, conn_timeout=10)
        except NetmikoAuthenticationException:
            continue
        try:
            output = connection.send_command(COMMANDS.get(device["device_type"], "show running-config"), read_timeout=60)
        finally:
            connection.disconnect()
        return len(output) > 64
    return False


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        fleet = json.load(handle)
    with ThreadPoolExecutor(max_workers=int(sys.argv[2])) as pool:
        results = list(pool.map(backup, fleet))
    print(json.dumps({"ok": results.count(True), "failed": results.count(False)}))


if __name__ == "__main__":
    main()
