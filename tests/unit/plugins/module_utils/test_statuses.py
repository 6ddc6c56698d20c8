# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance figures every summary shows (module result, job summary, report) come from one rule."""

from __future__ import annotations

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ComplianceStatus, compliance_counts


@pytest.mark.parametrize("counts, expected", [
    ({ComplianceStatus.COMPLIANT: 2, ComplianceStatus.NON_COMPLIANT: 1, ComplianceStatus.NOT_APPLICABLE: 7},
     {"compliant": 2, "non_compliant": 1, "not_applicable": 7, "percent": 66.7}),
    # NOT_APPLICABLE counts for neither side; with nothing applicable nothing fails.
    ({ComplianceStatus.NOT_APPLICABLE: 3}, {"compliant": 0, "non_compliant": 0, "not_applicable": 3, "percent": 100.0}),
    ({}, {"compliant": 0, "non_compliant": 0, "not_applicable": 0, "percent": 100.0}),
    ({ComplianceStatus.NON_COMPLIANT: 4}, {"compliant": 0, "non_compliant": 4, "not_applicable": 0, "percent": 0.0}),
])
def test_counts_by_status_and_the_percent_of_applicable_pairs_that_comply(counts, expected):
    assert compliance_counts(counts) == expected
