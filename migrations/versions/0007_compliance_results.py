"""Compliance: every evaluation of a rule on a device, and the latest outcome of each.

- compliance_results: one row per evaluation (device, rule, status, details with the
  missing and extra lines, the configuration evaluated, when); append-only.
- compliance_state: the latest outcome per (device, rule), with since when it fails, so
  an evaluation reads the estate's current state, not the whole history.

config_id has no foreign key in either table: prune deletes old configurations, and a key
would make each such delete scan these tables (docs/compliance.md, "Table growth").

Revision ID: 0007_compliance_results
Revises: 0006_reaching_devices
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_compliance_results"
down_revision = "0006_reaching_devices"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "compliance_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("config_id", sa.Integer(), nullable=True),
        sa.Column("evaluated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name="fk_compliance_results_device_id_devices",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_compliance_results"),
    )
    op.create_index("ix_compliance_results_device_id_rule_id", "compliance_results", ["device_id", "rule", "id"])
    op.create_table(
        "compliance_state",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("since", TS, nullable=True),
        sa.Column("config_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name="fk_compliance_state_device_id_devices",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("device_id", "rule", name="pk_compliance_state"),
    )


def downgrade():
    op.drop_table("compliance_state")
    op.drop_index("ix_compliance_results_device_id_rule_id", table_name="compliance_results")
    op.drop_table("compliance_results")
