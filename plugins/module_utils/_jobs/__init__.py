# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jobs: start and finish (lifecycle), the job task, job and connection log rows, what a job changed, the summary and the HTML report."""
