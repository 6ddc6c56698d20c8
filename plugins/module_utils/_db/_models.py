# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SQLAlchemy 2.x models of the NetRaven database (docs/architecture.md: "Database and encryption").

Alembic migrations own the schema; these models must match the migrated schema
exactly (a test runs autogenerate against a migrated database and expects no
difference). SCHEMA_REVISION names the Alembic head this code was written for, so
the core can refuse an unmigrated database with a clear message.

The file imports nothing but SQLAlchemy so that Alembic can load it from a plain
checkout. Without SQLAlchemy it still imports (ansible-doc and sanity need that):
the classes then exist as inert shells and HAS_SQLALCHEMY tells callers.
"""

from __future__ import annotations

import datetime
import traceback
from typing import Any, List, Optional

try:
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
    HAS_SQLALCHEMY = True
    SQLALCHEMY_IMPORT_ERROR = None
except ImportError:
    HAS_SQLALCHEMY = False
    SQLALCHEMY_IMPORT_ERROR = traceback.format_exc()

    class _Inert:
        """Absorbs any attribute access or call so the class bodies below still execute."""

        def __getattr__(self, name: str) -> _Inert:
            return self

        def __call__(self, *args: object, **kwargs: object) -> _Inert:
            return self

    # Stand-ins for what SQLAlchemy would have provided (mypy checks the SQLAlchemy branch).
    sa = _Inert()  # type: ignore[assignment]
    mapped_column = relationship = sa  # type: ignore[assignment]
    Mapped = Any  # type: ignore[misc,assignment]

    class DeclarativeBase:  # type: ignore[no-redef]
        """Stand-in base when SQLAlchemy is missing."""

        metadata = None

SCHEMA_REVISION = "0007_compliance_results"


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names, so migrations can drop them by name."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# Generic JSON maps to json on PostgreSQL and to TEXT-with-JSON on SQLite.
JSONType = sa.JSON()
Timestamp = sa.DateTime(timezone=True)

device_tag_association = sa.Table(
    "device_tag_association",
    Base.metadata,
    sa.Column("device_id", sa.Integer, sa.ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

credential_tag_association = sa.Table(
    "credential_tag_association",
    Base.metadata,
    sa.Column("credential_id", sa.Integer, sa.ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

job_tags = sa.Table(
    "job_tags",
    Base.metadata,
    sa.Column("job_id", sa.Integer, sa.ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(Base):
    """A label shared by devices and credentials; a shared tag puts a credential in a device's chain."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    type: Mapped[Optional[str]] = mapped_column(sa.String(50), nullable=True)
    description: Mapped[Optional[str]] = mapped_column(sa.Text, nullable=True)


# Every column of credentials that holds a sealed secret: what rekey re-seals, what a job's start
# checks the key opens, and what no output ever shows (docs/hardening.md).
CREDENTIAL_SECRET_COLUMNS = ("password", "enable_secret", "private_key", "private_key_passphrase")


class Credential(Base):
    """A login to try on devices (or on jump hosts); every secret column holds a sealed value, never plaintext.

    password is NULL for a key-only login; enable_secret NULL means the login password is
    the enable secret; private_key is OpenSSH or PEM text, private_key_passphrase its passphrase.
    """

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    username: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    password: Mapped[Optional[str]] = mapped_column(sa.Text, nullable=True)
    enable_secret: Mapped[Optional[str]] = mapped_column(sa.Text, nullable=True)
    private_key: Mapped[Optional[str]] = mapped_column(sa.Text, nullable=True)
    private_key_passphrase: Mapped[Optional[str]] = mapped_column(sa.Text, nullable=True)
    priority: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default=sa.text("100"))
    description: Mapped[Optional[str]] = mapped_column(sa.Text, nullable=True)
    is_system: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())
    last_used: Mapped[Optional[datetime.datetime]] = mapped_column(Timestamp, nullable=True)
    success_rate: Mapped[Optional[float]] = mapped_column(sa.Float, nullable=True)
    success_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default=sa.text("0"))
    failure_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default=sa.text("0"))
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, nullable=False, server_default=sa.func.now())

    tags: Mapped[List[Tag]] = relationship(secondary=credential_tag_association, order_by="Tag.name")


class JumpHost(Base):
    """An SSH bastion that devices (or further jump hosts, through via) are reached through.

    credential logs in to the jump host itself; via is the jump host before this one (a
    further hop). Rows in use (by devices or other jump hosts) cannot be deleted.
    """

    __tablename__ = "jump_hosts"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    host: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    port: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default=sa.text("22"))
    credential_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("credentials.id", ondelete="RESTRICT"), nullable=False)
    via_id: Mapped[Optional[int]] = mapped_column(
        sa.Integer, sa.ForeignKey("jump_hosts.id", ondelete="RESTRICT"), nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, nullable=False, server_default=sa.func.now())

    credential: Mapped[Credential] = relationship()
    via: Mapped[Optional["JumpHost"]] = relationship(remote_side="JumpHost.id")


class Device(Base):
    """A network device to back up; device_type is a netmiko platform name.

    transport is 'ssh' or 'telnet'; legacy_ssh lets this device alone negotiate SHA-1 key
    exchanges, ssh-rsa host keys and CBC ciphers; jump_host_id the bastion it is reached through.
    """

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    hostname: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    ip_address: Mapped[str] = mapped_column(sa.String(45), nullable=False, unique=True)
    device_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    port: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default=sa.text("22"))
    description: Mapped[Optional[str]] = mapped_column(sa.Text, nullable=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.true())
    last_seen: Mapped[Optional[datetime.datetime]] = mapped_column(Timestamp, nullable=True)
    last_credential_id: Mapped[Optional[int]] = mapped_column(
        sa.Integer, sa.ForeignKey("credentials.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, nullable=False, server_default=sa.func.now())
    jump_host_id: Mapped[Optional[int]] = mapped_column(
        sa.Integer, sa.ForeignKey("jump_hosts.id", ondelete="RESTRICT"), nullable=True)
    transport: Mapped[str] = mapped_column(sa.String(16), nullable=False, server_default=sa.text("'ssh'"))
    legacy_ssh: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())

    tags: Mapped[List[Tag]] = relationship(secondary=device_tag_association, order_by="Tag.name")
    jump_host: Mapped[Optional[JumpHost]] = relationship()


class Job(Base):
    """One backup run (or several sliced runs sharing it); status ends in a JobStatus.FINAL value."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    job_type: Mapped[str] = mapped_column(sa.String(50), nullable=False, server_default=sa.text("'backup'"))
    status: Mapped[str] = mapped_column(sa.String(50), nullable=False, server_default=sa.text("'PENDING'"))
    started_at: Mapped[Optional[datetime.datetime]] = mapped_column(Timestamp, nullable=True)
    completed_at: Mapped[Optional[datetime.datetime]] = mapped_column(Timestamp, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, nullable=False, server_default=sa.func.now())

    tags: Mapped[List[Tag]] = relationship(secondary=job_tags, order_by="Tag.name")


class JobResult(Base):
    """The outcome of one targeted device in one job; created PENDING when the job starts."""

    __tablename__ = "job_results"
    __table_args__ = (sa.UniqueConstraint("job_id", "device_id", name="uq_job_results_job_id_device_id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.Integer, sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False)
    device_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("devices.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    details: Mapped[Optional[Any]] = mapped_column(JSONType, nullable=True)
    result_time: Mapped[Optional[datetime.datetime]] = mapped_column(Timestamp, nullable=True)


class JobLog(Base):
    """A line of a job's log; device_id NULL means a job-level entry."""

    __tablename__ = "job_logs"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False, index=True)
    device_id: Mapped[Optional[int]] = mapped_column(
        sa.Integer, sa.ForeignKey("devices.id", ondelete="CASCADE"), nullable=True)
    timestamp: Mapped[datetime.datetime] = mapped_column(Timestamp, nullable=False, server_default=sa.func.now())
    level: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    message: Mapped[str] = mapped_column(sa.Text, nullable=False)
    data: Mapped[Optional[Any]] = mapped_column(JSONType, nullable=True)


class ConnectionLog(Base):
    """One row per device per job: how the login went and with which credential."""

    __tablename__ = "connection_logs"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("devices.id", ondelete="CASCADE"), nullable=False, index=True)
    job_id: Mapped[Optional[int]] = mapped_column(
        sa.Integer, sa.ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True, index=True)
    timestamp: Mapped[datetime.datetime] = mapped_column(Timestamp, nullable=False, server_default=sa.func.now())
    successful: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    duration_ms: Mapped[Optional[int]] = mapped_column(sa.Integer, nullable=True)
    error_message: Mapped[Optional[str]] = mapped_column(sa.Text, nullable=True)
    error_type: Mapped[Optional[str]] = mapped_column(sa.String(50), nullable=True)
    credential_id: Mapped[Optional[int]] = mapped_column(
        sa.Integer, sa.ForeignKey("credentials.id", ondelete="SET NULL"), nullable=True)
    credential_username: Mapped[Optional[str]] = mapped_column(sa.String(255), nullable=True)
    retry_count: Mapped[Optional[int]] = mapped_column(sa.Integer, nullable=True, server_default=sa.text("0"))


class DeviceConfiguration(Base):
    """A stored configuration; a new row is written only when data_hash differs from the latest."""

    __tablename__ = "device_configurations"
    __table_args__ = (sa.Index("ix_device_configurations_device_id_id", "device_id", "id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("devices.id", ondelete="CASCADE"), nullable=False)
    job_id: Mapped[Optional[int]] = mapped_column(
        sa.Integer, sa.ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True)
    retrieved_at: Mapped[datetime.datetime] = mapped_column(Timestamp, nullable=False, server_default=sa.func.now())
    config_data: Mapped[str] = mapped_column(sa.Text, nullable=False)
    data_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    config_metadata: Mapped[Optional[Any]] = mapped_column(JSONType, nullable=True)
    # The text as the device printed it, sealed with the encryption key (docs/history.md); NULL with keep_original: false.
    original: Mapped[Optional[str]] = mapped_column(sa.Text, nullable=True)


class JobCredentialAttempt(Base):
    """A credential tried on a device within a job: 'claimed' while the login runs, 'rejected' after.

    Shared by every fork and slice of the job through the database: a credential is never
    tried twice on one device in one job, and the lockout guard counts rejections and
    logins in flight exactly.
    """

    __tablename__ = "job_credential_attempts"

    job_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    credential_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True)
    device_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    outcome: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    attempted_at: Mapped[datetime.datetime] = mapped_column(Timestamp, nullable=False, server_default=sa.func.now())


class ComplianceResult(Base):
    """One evaluation of one compliance rule on one device (docs/compliance.md): kept, never updated.

    Append-only history, written in bulk. config_id names the configuration evaluated but has no
    foreign key: prune deletes old configurations, and a key would make every such delete scan this
    table (the largest one: devices x rules per evaluation). details is NULL for a compliant result.
    """

    __tablename__ = "compliance_results"
    __table_args__ = (sa.Index("ix_compliance_results_device_id_rule_id", "device_id", "rule", "id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("devices.id", ondelete="CASCADE"), nullable=False)
    rule: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    details: Mapped[Optional[Any]] = mapped_column(JSONType, nullable=True)
    config_id: Mapped[Optional[int]] = mapped_column(sa.Integer, nullable=True)
    evaluated_at: Mapped[datetime.datetime] = mapped_column(Timestamp, nullable=False)


class ComplianceState(Base):
    """The latest outcome of each (device, rule): since when it fails, what was evaluated, with which rule text.

    One row per device and rule, written only when the outcome, the configuration or the rule
    changed, so that an evaluation reads the previous outcomes (for ``since`` and to skip what
    nothing changed) in proportion to the estate, never to the length of the history.
    """

    __tablename__ = "compliance_state"

    device_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    since: Mapped[Optional[datetime.datetime]] = mapped_column(Timestamp, nullable=True)
    config_id: Mapped[Optional[int]] = mapped_column(sa.Integer, nullable=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    details: Mapped[Optional[Any]] = mapped_column(JSONType, nullable=True)


class InstallSecret(Base):
    """A value only this database holds, such as the random salt of the key derivation ('kdf_salt').

    Written by migration 0005_install_secrets; read once per process by the encryption core.
    """

    __tablename__ = "install_secrets"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, nullable=False, server_default=sa.func.now())
