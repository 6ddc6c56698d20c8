# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup of one device.

The attempt loop, its value types, its reads and writes, one login with netmiko, the masked
session log, what the controller prepares before the fork.
"""
