"""Initial NetRaven schema: tags, devices, credentials, jobs, logs and stored configurations.

This is the schema the NetRaven server had before credential chains: connection logs
without credential information, no per-device job results.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("type", sa.String(50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
        sa.UniqueConstraint("name", name="uq_tags_name"),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("password", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), server_default=sa.text("100"), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_system", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("last_used", TS, nullable=True),
        sa.Column("success_rate", sa.Float(), nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_credentials"),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hostname", sa.String(255), nullable=False),
        sa.Column("ip_address", sa.String(45), nullable=False),
        sa.Column("device_type", sa.String(64), nullable=False),
        sa.Column("port", sa.Integer(), server_default=sa.text("22"), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("last_seen", TS, nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_devices"),
        sa.UniqueConstraint("hostname", name="uq_devices_hostname"),
        sa.UniqueConstraint("ip_address", name="uq_devices_ip_address"),
    )
    op.create_table(
        "device_tag_association",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE",
                                name="fk_device_tag_association_device_id_devices"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE",
                                name="fk_device_tag_association_tag_id_tags"),
        sa.PrimaryKeyConstraint("device_id", "tag_id", name="pk_device_tag_association"),
    )
    op.create_index("ix_device_tag_association_tag_id", "device_tag_association", ["tag_id"])
    op.create_table(
        "credential_tag_association",
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["credentials.id"], ondelete="CASCADE",
                                name="fk_credential_tag_association_credential_id_credentials"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE",
                                name="fk_credential_tag_association_tag_id_tags"),
        sa.PrimaryKeyConstraint("credential_id", "tag_id", name="pk_credential_tag_association"),
    )
    op.create_index("ix_credential_tag_association_tag_id", "credential_tag_association", ["tag_id"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(50), server_default=sa.text("'PENDING'"), nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_table(
        "job_tags",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE", name="fk_job_tags_job_id_jobs"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE", name="fk_job_tags_tag_id_tags"),
        sa.PrimaryKeyConstraint("job_id", "tag_id", name="pk_job_tags"),
    )
    op.create_table(
        "job_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("timestamp", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE", name="fk_job_logs_job_id_jobs"),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE",
                                name="fk_job_logs_device_id_devices"),
        sa.PrimaryKeyConstraint("id", name="pk_job_logs"),
    )
    op.create_index("ix_job_logs_job_id", "job_logs", ["job_id"])
    op.create_table(
        "connection_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("timestamp", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("successful", sa.Boolean(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE",
                                name="fk_connection_logs_device_id_devices"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="SET NULL", name="fk_connection_logs_job_id_jobs"),
        sa.PrimaryKeyConstraint("id", name="pk_connection_logs"),
    )
    op.create_index("ix_connection_logs_device_id", "connection_logs", ["device_id"])
    op.create_index("ix_connection_logs_job_id", "connection_logs", ["job_id"])
    op.create_table(
        "device_configurations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("retrieved_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("config_data", sa.Text(), nullable=False),
        sa.Column("data_hash", sa.String(64), nullable=False),
        sa.Column("config_metadata", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE",
                                name="fk_device_configurations_device_id_devices"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="SET NULL",
                                name="fk_device_configurations_job_id_jobs"),
        sa.PrimaryKeyConstraint("id", name="pk_device_configurations"),
    )
    op.create_index("ix_device_configurations_device_id_id", "device_configurations", ["device_id", "id"])


def downgrade():
    op.drop_index("ix_device_configurations_device_id_id", table_name="device_configurations")
    op.drop_table("device_configurations")
    op.drop_index("ix_connection_logs_job_id", table_name="connection_logs")
    op.drop_index("ix_connection_logs_device_id", table_name="connection_logs")
    op.drop_table("connection_logs")
    op.drop_index("ix_job_logs_job_id", table_name="job_logs")
    op.drop_table("job_logs")
    op.drop_table("job_tags")
    op.drop_table("jobs")
    op.drop_index("ix_credential_tag_association_tag_id", table_name="credential_tag_association")
    op.drop_table("credential_tag_association")
    op.drop_index("ix_device_tag_association_tag_id", table_name="device_tag_association")
    op.drop_table("device_tag_association")
    op.drop_table("devices")
    op.drop_table("credentials")
    op.drop_table("tags")
