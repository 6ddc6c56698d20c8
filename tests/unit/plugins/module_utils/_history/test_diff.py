"""The one diff rule shared by --diff, config_info, changed_devices and the report."""

from ansible_collections.netraven.netraven.plugins.module_utils._history._diff import diff_configs


def test_counts_only_changed_lines_not_headers():
    before = "hostname a\ninterface x\n description old\n"
    after = "hostname a\ninterface x\n description new\n mtu 9000\n"
    diff = diff_configs(before, after, "a (config 1)", "a (config 2)")
    assert diff.stats() == {"added": 2, "removed": 1}
    assert diff.text.startswith("--- a (config 1)\n+++ a (config 2)\n")
    assert "- description old\n" in diff.text
    assert "+ mtu 9000\n" in diff.text


def test_header_lookalike_lines_in_the_body_are_counted():
    diff = diff_configs("--- x\n", "+++ y\n")
    assert diff.stats() == {"added": 1, "removed": 1}


def test_equal_texts_give_an_empty_diff():
    diff = diff_configs("same\n", "same\n")
    assert diff == ("", 0, 0)


def test_none_is_an_empty_text():
    diff = diff_configs(None, "line\n")
    assert diff.stats() == {"added": 1, "removed": 0}
