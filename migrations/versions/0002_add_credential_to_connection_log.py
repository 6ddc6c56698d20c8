"""Add credential information to connection log.

Which credential finally worked (or was tried last), its username kept for history
when the credential is deleted, and how many credentials failed before it.

Revision ID: 0002_connection_log_credential
Revises: 0001_initial
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_connection_log_credential"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("connection_logs") as batch:
        batch.add_column(sa.Column("credential_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("credential_username", sa.String(255), nullable=True))
        batch.add_column(sa.Column("retry_count", sa.Integer(), server_default=sa.text("0"), nullable=True))
        batch.create_foreign_key("fk_connection_logs_credential_id_credentials", "credentials",
                                 ["credential_id"], ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("connection_logs") as batch:
        batch.drop_constraint("fk_connection_logs_credential_id_credentials", type_="foreignkey")
        batch.drop_column("retry_count")
        batch.drop_column("credential_username")
        batch.drop_column("credential_id")
