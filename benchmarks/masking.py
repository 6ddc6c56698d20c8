"""Masking + normalisation time, a baseline revision of the profiles against the checkout, alternating.

Run: .venv/bin/python benchmarks/masking.py [--baseline REV] [--rounds N]

The baseline's ``plugins/`` is taken from git (``git archive``) into a temporary collections tree;
each round runs one child process per version, baseline then checkout, so that both meet the same
load on the machine, and the figures are CPU seconds (process time) per case, median over the
rounds of the best of three runs in each child, with the ratio baseline/checkout (above 1: the
checkout is faster). Cases: the stored copy
(``normalise(mask_secrets(text, key))``) of 20k blank lines, a 5 MB IOS configuration, a 1 MB
FortiOS configuration (sections, re-encrypted values, private keys) and a 1 MB RouterOS export
(sections, a secret wrapped onto the next line in every block, which the baseline did not mask; and
the same without wrapped lines); and the session log of the 5 MB IOS configuration written in 4 kB
pieces.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_BASELINE = "4b71c59"  # the layout commit issue 24's work started from

IOS_BLOCK = ("interface GigabitEthernet0/%d\n description uplink\n ip ospf message-digest-key 1 md5 7 0822455D0A16\n!\n"
             "username u%d privilege 15 secret 5 $1$abcd$hash\nsnmp-server community c%d RO\n")
FORTI_BLOCK = ('config system snmp community\n    edit %d\n        set name "c%d"\n    next\nend\n'
               'config user radius\n    edit "r%d"\n        set server "10.0.0.%d"\n        set secret ENC QkFTRTY0dmFsdWU=\n'
               "    next\nend\nconfig vpn certificate local\n    edit \"k%d\"\n"
               '        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0B\nBQ0wPDAbBgkqhkiG\n'
               '-----END ENCRYPTED PRIVATE KEY-----"\n    next\nend\n')
ROS_BLOCK = ("/ip address\nadd address=10.0.%d.1/24 interface=ether2 network=10.0.%d.0\n/ppp secret\n"
             "add name=u%d password=ppp-%d service=l2tp\n/radius\nadd address=192.0.2.18 comment=\"a long comment that wraps\" "
             "secret=\\\n    rad-%d service=login\n/snmp community\nset [ find default=yes ] name=ros-ro-%d\n")


def _texts():
    def repeat(block, size, fields):
        one = len(block % ((0,) * fields))
        return "".join(block % ((n % 250,) * fields) for n in range(size // one))

    return {
        "20k blank lines": ("cisco_ios", "hostname r1\n" + "\n" * 20000 + "end\n"),
        "5 MB IOS": ("cisco_ios", repeat(IOS_BLOCK, 5 * 1024 * 1024, 3) + "end\n"),
        "1 MB FortiOS": ("fortinet", repeat(FORTI_BLOCK, 1024 * 1024, 5)),
        "1 MB RouterOS": ("mikrotik_routeros", repeat(ROS_BLOCK, 1024 * 1024, 6)),
        # The same without wrapped lines: the baseline leaves a value wrapped onto the next line in clear,
        # so only this case compares the same work.
        "1 MB RouterOS, no wrapped line": ("mikrotik_routeros",
                                           repeat(ROS_BLOCK.replace("\\\n    ", ""), 1024 * 1024, 6)),
    }


def child():
    """Time every case with the profiles on sys.path; print {case: seconds} as JSON."""
    # pylint: disable=import-outside-toplevel
    from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for
    from ansible_collections.netraven.netraven.plugins.module_utils._backup._session_log import open_session_log

    key = b"k" * 32
    results = {}
    texts = _texts()
    for name, (device_type, text) in texts.items():
        profile = profile_for(device_type)
        results["stored copy, " + name] = _best(lambda p=profile, t=text: p.normalise(p.mask_secrets(t, key)))
    profile = profile_for("cisco_ios")
    payload = texts["5 MB IOS"][1].replace("\n", "\r\n").encode("utf-8")

    def session_log():
        with tempfile.TemporaryDirectory() as folder:
            # The baseline's log took a per-line mask function; the checkout's takes the profile's masker.
            mask = profile.masker(key) if hasattr(profile, "masker") else profile.mask_secrets
            log = open_session_log(os.path.join(folder, "r1.log"), mask)
            for start in range(0, len(payload), 4096):
                log.write(payload[start:start + 4096])
            log.close()

    results["session log, 5 MB IOS"] = _best(session_log)
    print(json.dumps(results))


def _best(work, runs=3):
    """The least CPU time of ``runs`` runs: the run the machine's other load disturbed least."""
    times = []
    for _run in range(runs):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times)


def _baseline_tree(revision, folder):
    """The baseline's plugins/ as a collections tree under folder; returns the path to put on sys.path."""
    target = os.path.join(folder, "ansible_collections", "netraven", "netraven")
    os.makedirs(target)
    archive = subprocess.run(["git", "-C", REPO, "archive", revision, "plugins"], capture_output=True, check=True).stdout
    with tempfile.TemporaryFile() as stream:
        stream.write(archive)
        stream.seek(0)
        with tarfile.open(fileobj=stream) as tar:
            tar.extractall(target)  # nosec - our own repository's archive
    return folder


def _run(path):
    env = dict(os.environ, PYTHONPATH=path)
    out = subprocess.run([sys.executable, __file__, "--child"], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    checkout = os.path.join(REPO, ".tmp", "collections")
    if not os.path.isdir(os.path.join(checkout, "ansible_collections", "netraven", "netraven")):
        sys.exit("Run pytest once first: it maps the checkout to %s" % checkout)
    with tempfile.TemporaryDirectory() as folder:
        baseline = _baseline_tree(args.baseline, folder)
        runs = {"baseline": [], "checkout": []}
        for _round in range(args.rounds):
            runs["baseline"].append(_run(baseline))
            runs["checkout"].append(_run(checkout))
    print("CPU seconds, median of %d alternating rounds; baseline %s" % (args.rounds, args.baseline))
    for case in runs["checkout"][0]:
        before = statistics.median(r[case] for r in runs["baseline"])
        after = statistics.median(r[case] for r in runs["checkout"])
        print("%-36s baseline %7.3f s  checkout %7.3f s  baseline/checkout %5.2fx" % (case, before, after, before / after))


if __name__ == "__main__":
    main()
