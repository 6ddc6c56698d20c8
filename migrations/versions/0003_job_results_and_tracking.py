"""Job results, credential names and metrics counters, last working credential, lockout guard.

- job_results: one row per targeted device and job, fixed when the job starts.
- credentials.name: a stable, unique handle for the management modules (backfilled
  from the username and id), success_count and failure_count beside success_rate.
- devices.last_credential_id: the credential that worked last, tried first next time.
- jobs.job_type, connection_logs.error_type.
- job_credential_attempts: per job, which credential was tried (claimed, then rejected)
  on which device, so no credential is tried twice on a device in one job and the
  lockout guard can stop trying a credential across forks and slices.

Revision ID: 0003_job_results
Revises: 0002_connection_log_credential
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_job_results"
down_revision = "0002_connection_log_credential"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("name", sa.String(255), nullable=True))
        batch.add_column(sa.Column("success_count", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.add_column(sa.Column("failure_count", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.execute("UPDATE credentials SET name = username || '-' || CAST(id AS VARCHAR(20)) WHERE name IS NULL")
    with op.batch_alter_table("credentials") as batch:
        batch.alter_column("name", existing_type=sa.String(255), nullable=False)
        batch.create_unique_constraint("uq_credentials_name", ["name"])

    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("last_credential_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_devices_last_credential_id_credentials", "credentials",
                                 ["last_credential_id"], ["id"], ondelete="SET NULL")

    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("job_type", sa.String(50), server_default=sa.text("'backup'"), nullable=False))

    with op.batch_alter_table("connection_logs") as batch:
        batch.add_column(sa.Column("error_type", sa.String(50), nullable=True))

    op.create_table(
        "job_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(50), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("result_time", TS, nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE", name="fk_job_results_job_id_jobs"),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE",
                                name="fk_job_results_device_id_devices"),
        sa.PrimaryKeyConstraint("id", name="pk_job_results"),
        sa.UniqueConstraint("job_id", "device_id", name="uq_job_results_job_id_device_id"),
    )
    op.create_index("ix_job_results_device_id", "job_results", ["device_id"])

    op.create_table(
        "job_credential_attempts",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("attempted_at", TS, server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE",
                                name="fk_job_credential_attempts_job_id_jobs"),
        sa.ForeignKeyConstraint(["credential_id"], ["credentials.id"], ondelete="CASCADE",
                                name="fk_job_credential_attempts_credential_id_credentials"),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE",
                                name="fk_job_credential_attempts_device_id_devices"),
        sa.PrimaryKeyConstraint("job_id", "credential_id", "device_id", name="pk_job_credential_attempts"),
    )


def downgrade():
    op.drop_table("job_credential_attempts")
    op.drop_index("ix_job_results_device_id", table_name="job_results")
    op.drop_table("job_results")
    with op.batch_alter_table("connection_logs") as batch:
        batch.drop_column("error_type")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("job_type")
    with op.batch_alter_table("devices") as batch:
        batch.drop_constraint("fk_devices_last_credential_id_credentials", type_="foreignkey")
        batch.drop_column("last_credential_id")
    with op.batch_alter_table("credentials") as batch:
        batch.drop_constraint("uq_credentials_name", type_="unique")
        batch.drop_column("failure_count")
        batch.drop_column("success_count")
        batch.drop_column("name")
