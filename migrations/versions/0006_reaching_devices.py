"""Reaching devices: enable secrets, SSH keys, jump hosts, telnet and legacy SSH per device.

credentials: password becomes optional (a key-only login) and three sealed columns join it:
enable_secret (NULL: the login password is the enable secret, as before), private_key
(OpenSSH or PEM text) and private_key_passphrase. jump_hosts: the bastions devices are
reached through, each logging in with a credential of its own and optionally through
another jump host (via). devices: jump_host_id, transport ('ssh' or 'telnet') and
legacy_ssh (this device alone may negotiate SHA-1 key exchanges, ssh-rsa host keys and CBC).

The downgrade refuses, naming them, while key-only credentials exist: the older schema has
no place for them, and deleting logins silently would break chains.

Revision ID: 0006_reaching_devices
Revises: 0005_install_secrets
Create Date: 2026-12-09
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_reaching_devices"
down_revision = "0005_install_secrets"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("credentials") as batch:
        batch.alter_column("password", existing_type=sa.Text(), nullable=True)
        batch.add_column(sa.Column("enable_secret", sa.Text(), nullable=True))
        batch.add_column(sa.Column("private_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("private_key_passphrase", sa.Text(), nullable=True))
    op.create_table(
        "jump_hosts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("port", sa.Integer(), server_default=sa.text("22"), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("via_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["credentials.id"], name="fk_jump_hosts_credential_id_credentials",
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["via_id"], ["jump_hosts.id"], name="fk_jump_hosts_via_id_jump_hosts", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_jump_hosts"),
        sa.UniqueConstraint("name", name="uq_jump_hosts_name"),
    )
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("jump_host_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("transport", sa.String(16), server_default=sa.text("'ssh'"), nullable=False))
        batch.add_column(sa.Column("legacy_ssh", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.create_foreign_key("fk_devices_jump_host_id_jump_hosts", "jump_hosts", ["jump_host_id"], ["id"],
                                 ondelete="RESTRICT")


def downgrade():
    connection = op.get_bind()
    key_only = [row[0] for row in connection.execute(sa.text("SELECT name FROM credentials WHERE password IS NULL ORDER BY id"))]
    if key_only:
        raise RuntimeError("Cannot downgrade below 0006_reaching_devices: %d key-only credential(s) have no password "
                           "(%s); give them a password or delete them first" % (len(key_only), ", ".join(key_only[:20])))
    with op.batch_alter_table("devices") as batch:
        batch.drop_constraint("fk_devices_jump_host_id_jump_hosts", type_="foreignkey")
        batch.drop_column("legacy_ssh")
        batch.drop_column("transport")
        batch.drop_column("jump_host_id")
    op.drop_table("jump_hosts")
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("private_key_passphrase")
        batch.drop_column("private_key")
        batch.drop_column("enable_secret")
        batch.alter_column("password", existing_type=sa.Text(), nullable=False)
