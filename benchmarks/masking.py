"""Masking + normalisation time, old rules (git be53c4c, _config_text.Platform) vs the platform profiles.

Run: PYTHONPATH=.tmp/collections .venv/bin/python benchmarks/masking.py
Prints CPU seconds (process time: other load on the machine does not count) for 20k blank lines
and a ~5 MB IOS configuration, and the ratio old/new. To compare two versions of the profiles,
run it with PYTHONPATH pointing at each, alternating the two in one session.
"""

import subprocess
import time
import types

from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for

OLD_SOURCE = subprocess.run(["git", "show", "be53c4c:plugins/module_utils/_backup/_device_text.py"], capture_output=True,
                            text=True, check=True).stdout
OLD = types.ModuleType("old_config_text")
exec(compile(OLD_SOURCE, "old_config_text", "exec"), OLD.__dict__)  # pylint: disable=exec-used

BLOCK = ("interface GigabitEthernet0/%d\n description uplink\n ip ospf message-digest-key 1 md5 7 0822455D0A16\n!\n"
         "username u%d privilege 15 secret 5 $1$abcd$hash\nsnmp-server community c%d RO\n")
TEXTS = {"20k blank lines": "hostname r1\n" + "\n" * 20000 + "end\n",
         "5 MB configuration": "".join(BLOCK % (n, n, n) for n in range(5 * 1024 * 1024 // len(BLOCK % (0, 0, 0)))) + "end\n"}


def timed(func, text):
    started = time.process_time()
    func(text)
    return time.process_time() - started


def main():
    old, new = OLD.platform_for("cisco_ios"), profile_for("cisco_ios")
    for name, text in TEXTS.items():
        before = timed(lambda t: old.normalise(old.mask_secrets(t)), text)
        after = timed(lambda t: new.normalise(new.mask_secrets(t, b"k" * 32)), text)
        print("%-20s %8d bytes  old %7.3f s  new %7.3f s  old/new %6.1fx" % (name, len(text), before, after, before / after))


if __name__ == "__main__":
    main()
