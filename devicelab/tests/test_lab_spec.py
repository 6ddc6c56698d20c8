"""Spec parsing, fault parsing, configuration rendering and address allocation (no SSH)."""

import pytest

from devicelab import configs, faults, spec
from devicelab.addresses import AddressPool
from devicelab.lab import Lab


def test_fault_spellings():
    assert faults.parse_faults("closed").names == ["closed"]
    assert faults.parse_faults({"slow": 2.5}).latency == 2.5
    assert faults.parse_faults({"slow": {"latency": 0.2}}).latency == 0.2
    assert faults.parse_faults(["slow", "long_banner"]).names == ["slow", "long_banner"]
    assert faults.parse_faults({"truncate": {"at": 0.3}}).truncate == 0.3
    assert 2000 <= len(faults.parse_faults({"long_banner": {"size": 2500}}).banner) <= 2700
    assert faults.parse_faults("bad_kex").kex_algs
    assert faults.parse_faults(None).names == []


@pytest.mark.parametrize("bad", ["on_fire", ["closed", "blackhole"], {"truncate": 1.5}, {"slow": "x"}])
def test_bad_faults_are_rejected(bad):
    with pytest.raises(ValueError):
        faults.parse_faults(bad)


def test_banner_never_looks_like_a_prompt():
    text = faults.banner_text(5000)
    assert 5000 <= len(text) < 5200
    assert not set("#>%$") & set(text)


def test_bad_kex_algorithms_are_unknown_to_paramiko():
    import paramiko  # pylint: disable=import-outside-toplevel

    known = set(getattr(paramiko.Transport, "_kex_info"))
    assert not known & set(faults.unsupported_kex())


def test_device_spec_defaults_aliases_and_errors():
    lab = spec.lab_from_data({
        "defaults": {"credentials": [{"username": "u", "password": "p"}], "enable_secret": "e"},
        "devices": [{"name": "r1", "platform": "ios"}, {"name": "j1", "platform": "junos", "enable_secret": None}],
    })
    assert [d.platform for d in lab.devices] == ["cisco_ios", "juniper_junos"]
    assert lab.devices[0].accepts("u", "p") and not lab.devices[0].accepts("u", "x")
    assert lab.devices[0].enable_secret == "e" and lab.devices[1].enable_secret is None
    for bad in ([{"name": "r1", "platform": "nxos"}], [{"name": "bad name"}], [{"name": "r1", "colour": 1}],
                [{"name": "r1"}, {"name": "r1"}], []):
        with pytest.raises(ValueError):
            spec.lab_from_data(bad)


def test_generated_devices_need_credential_chains():
    devices = spec.generate(10, faults={"closed": 1, "slow": 2})
    assert [d.platform for d in devices[:3]] == ["cisco_ios", "arista_eos", "juniper_junos"]
    assert {d.credentials[0].username for d in devices} == {"netops", "admin", "backup"}
    assert len(devices[4].credentials) == 2
    assert devices[-1].faults.names == ["closed"]
    assert [d.faults.names for d in devices[-3:-1]] == [["slow"], ["slow"]]
    assert all(not d.faults.names for d in devices[:7])


def test_yaml_and_json_spec_files(tmp_path):
    yml = tmp_path / "lab.yaml"
    yml.write_text("port: 0\ndevices:\n  - name: r1\n    platform: cisco_ios\n    fault: {slow: 1}\n")
    assert spec.load(yml).devices[0].faults.latency == 1
    jsn = tmp_path / "lab.json"
    jsn.write_text('[{"name": "s1", "platform": "arista_eos"}]')
    assert spec.load(jsn).devices[0].platform == "arista_eos"


def test_config_volatile_lines_and_normalisation():
    dev = spec.device_from_dict({"name": "r1", "platform": "cisco_ios", "enable_secret": "s"})
    cfg = configs.DeviceConfig(dev)
    first, second = cfg.running(), cfg.running()
    assert first != second and first.rstrip().endswith("\nend")
    original = cfg.stable()
    cfg.set(text=first)
    assert cfg.stable() == original
    assert "ntp clock-period" not in original and not original.endswith("end")
    cfg.set(extra_lines=["logging host 10.9.9.9"])
    assert cfg.running().rstrip().endswith("logging host 10.9.9.9\nend")


def test_junos_display_set_and_brace_check():
    dev = spec.device_from_dict({"name": "j1", "platform": "juniper_junos"})
    cfg = configs.DeviceConfig(dev)
    configs.check_braces(cfg.running())
    assert "set interfaces lo0 unit 0 family inet address" in cfg.display_set()
    with pytest.raises(ValueError):
        configs.check_braces("system {\n}\n}")


def test_concurrent_labs_get_distinct_address_blocks():
    first, second = AddressPool(), AddressPool()
    try:
        a = first.reserve(300)
        b = second.reserve(10)
        assert len(set(a)) == 300 and len(first.blocks) == 2
        assert not set(a) & set(b)
        assert not set(first.blocks) & set(second.blocks)
        assert all(addr.startswith("127.") for addr in a + b)
    finally:
        first.release()
        second.release()


def test_two_running_labs_never_share_an_address():
    specs = [{"name": f"d{i}", "platform": "cisco_ios"} for i in range(5)]
    with Lab(specs) as one, Lab(specs) as two:
        addrs_one = {d.address for d in one.devices.values()}
        addrs_two = {d.address for d in two.devices.values()}
        assert len(addrs_one) == 5 and not addrs_one & addrs_two
        assert len({d.port for d in one.devices.values()}) == 1


def test_explicit_address_and_port_conflict_is_reported():
    with Lab([{"name": "a", "platform": "cisco_ios"}]) as lab:
        taken = lab.device("a")
        clash = Lab([{"name": "b", "platform": "cisco_ios", "address": taken.address, "port": taken.port}])
        with pytest.raises(RuntimeError):
            clash.start()


def test_junos_display_set_handles_inline_blocks():
    text = 'system {\n    host-name j1;\n}\nsnmp { contact "noc; desk"; community x { authorization read-only; } }\n'
    assert configs.junos_display_set(text).splitlines() == [
        "set system host-name j1", 'set snmp contact "noc; desk"', "set snmp community x authorization read-only",
    ]


def test_readme_example_spec_runs(tmp_path):
    import os  # pylint: disable=import-outside-toplevel
    import re  # pylint: disable=import-outside-toplevel

    readme = os.path.join(os.path.dirname(spec.__file__), "README.md")
    with open(readme, encoding="utf-8") as handle:
        block = re.search(r"```yaml\n(.*?)```", handle.read(), re.S).group(1)
    path = tmp_path / "lab.yml"
    path.write_text(block.replace("127.0.1.10", "127.199.255.10"))
    lab_spec = spec.load(path)
    assert len(lab_spec.devices) == 25
    with Lab(lab_spec) as lab:
        assert dict(lab_spec.devices[4].outputs)["show running-config"] == ("first read", "second read")
        assert lab.device("core-r1").credentials[0].privilege == 15
        assert "contact \"noc\";" in lab.config("edge-j1")
        assert lab.config("old-r2").startswith("hostname old-r2")
        assert lab.inventory()["devices"][3]["faults"]["slow"] == {"latency": 3.0}


def test_capture_outputs_are_served_in_turn_and_checked():
    from devicelab.captures import CaptureOutputs

    device = spec.device_from_dict({"name": "real-1", "platform": "cisco_xe",
                                    "outputs": {"show  version": "v1\n", "show running-config": ["one\n", "two\n"]}})
    served = CaptureOutputs(device.outputs)
    assert served.knows("show version") and not served.knows("show running-config view full")
    assert [served.render("show running-config") for _read in range(3)] == ["one\n", "two\n", "two\n"]
    assert served.render("show version") == "v1\n" and served.fetches["show running-config"] == 3
    for bad in ({"show version": 1}, ["show version"], {"show version": []}):
        with pytest.raises(ValueError, match="outputs"):
            spec.device_from_dict({"name": "real-2", "outputs": bad})
