# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options every module that talks to the NetRaven database shares."""


class ModuleDocFragment:
    """Database connection options (matching DATABASE_ARGSPEC in module_utils._module_base)."""

    DOCUMENTATION = r"""
options:
  db_url:
    description:
      - SQLAlchemy URL of the NetRaven database, for example
        C(postgresql+psycopg2://netraven:secret@db.example.com:5432/netraven).
      - When not set, the E(NETRAVEN_DB_URL) environment variable is used, and when that
        is not set either, the embedded SQLite file
        C(${XDG_DATA_HOME:-~/.local/share}/netraven/netraven.db).
      - The password in the URL is never shown in results or messages.
    type: str
    required: false
requirements:
  - SQLAlchemy >= 2.0
  - psycopg2 (for PostgreSQL)
"""

    ENCRYPTION = r"""
options:
  encryption_key:
    description:
      - Passphrase that encrypts credential passwords at rest (PBKDF2-SHA256 stretched Fernet key).
      - One passphrase, used exactly as given (a comma is part of it), at least 12 characters.
      - Older passphrases, which only decrypt, come from the E(NETRAVEN_ENCRYPTION_OLD_KEYS)
        environment variable, one per line.
      - When not set, the E(NETRAVEN_ENCRYPTION_KEY) environment variable is used.
      - It must be the key the database records (a check value in its C(install_secrets) table, written on first
        use), or the task is refused in one line before anything is opened or sealed. Only
        M(netraven.netraven.rekey) adopts a new key.
    type: str
    required: false
requirements:
  - cryptography
"""
