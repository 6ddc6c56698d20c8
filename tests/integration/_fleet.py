"""A large uniform lab fleet for concurrency tests and benchmarks.

Half the devices accept the first credential of the chain, the other half only the
second, on all three platforms: every device logs in, and the exact metrics and log
counts a run must leave behind follow from the device count alone.
"""

PASSWORDS = {"first": "First-Fleet-Pa55", "second": "Second-Fleet-Pa55"}
CREDENTIALS = [
    {"name": "first", "username": "first", "password": PASSWORDS["first"], "priority": 10, "tags": ["fleet"]},
    {"name": "second", "username": "second", "password": PASSWORDS["second"], "priority": 20, "tags": ["fleet"]},
]
PLATFORMS = ("cisco_ios", "arista_eos", "juniper_junos")


def name(index):
    return "fleet-%03d" % index


def needs_second(index):
    """Odd devices reject the first credential."""
    return index % 2 == 1


def lab_specs(count):
    """Lab device specs: alternate platforms; odd devices accept only the second credential."""
    specs = []
    for index in range(count):
        user = "second" if needs_second(index) else "first"
        specs.append({"name": name(index), "platform": PLATFORMS[index % len(PLATFORMS)],
                      "credentials": [{"username": user, "password": PASSWORDS[user], "privilege": 15}]})
    return specs


def device_rows(lab, count):
    """seed() device dicts pointing at the lab."""
    return [{"hostname": name(i), "ip_address": lab.address(name(i)), "port": lab.port(name(i)),
             "device_type": PLATFORMS[i % len(PLATFORMS)], "tags": ["fleet"]} for i in range(count)]


def expected_counts(count):
    """(first successes, first failures, second successes) after one run over count devices."""
    odd = sum(1 for i in range(count) if needs_second(i))
    return count - odd, odd, odd
