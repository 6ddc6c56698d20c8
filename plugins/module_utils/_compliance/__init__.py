# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compliance: rules as data, evaluated over the stored (masked) configurations (docs/compliance.md).

_rules (load and validate), _secret_guard (rules see masked text only), _blocks (a configuration
as nested lines, per the profile's block structure), _checks (one rule on one configuration),
_evaluate (the estate in one call), _store (history and latest state, since), _run (the module's
work), _page (the HTML page), _job_summary (the compliance part of a backup job's summary).
"""
