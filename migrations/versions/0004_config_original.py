"""The sealed original of each stored configuration.

device_configurations.original holds the configuration exactly as the device printed
it, sealed with the encryption key (the same Fernet sealing as credential passwords).
config_data stays the masked text every output shows; the original is only opened on
request (config_info reveal: true) to restore a device. NULL where the backup ran with
keep_original: false, and for every version stored before this revision.

Revision ID: 0004_config_original
Revises: 0003_job_results
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_config_original"
down_revision = "0003_job_results"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("device_configurations") as batch:
        batch.add_column(sa.Column("original", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("device_configurations") as batch:
        batch.drop_column("original")
