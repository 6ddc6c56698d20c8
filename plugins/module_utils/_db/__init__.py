# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The database: models, engine, where the database lives, URL masking, SQLite files, driver errors, transactions, precompiled statements, migrations."""
