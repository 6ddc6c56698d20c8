"""Per-install secrets: the random salt of the key derivation.

install_secrets holds values one NetRaven database needs and no other install shares.
The upgrade writes one row, 'kdf_salt': 16 random bytes (hex) that salt the PBKDF2
stretching of NETRAVEN_ENCRYPTION_KEY for values sealed at format version 2, so the
same passphrase yields a different key on every install. Values sealed before (no
version prefix: the static salt) still open; the rekey module re-seals them.

Revision ID: 0005_install_secrets
Revises: 0004_config_original
Create Date: 2026-12-02
"""
import os

from alembic import op
import sqlalchemy as sa

revision = "0005_install_secrets"
down_revision = "0004_config_original"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "install_secrets",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_install_secrets"),
    )
    op.bulk_insert(table, [{"name": "kdf_salt", "value": os.urandom(16).hex()}])


def downgrade():
    op.drop_table("install_secrets")
