"""Bulk seeding of tags, credentials, devices and jobs for tests and benchmarks.

Core INSERTs with executemany, not the ORM: a benchmark seeds 10,000 devices in about a
second this way. Passwords are sealed with the collection's own SecretBox, exactly as the
credential module stores them (format version 2, the database's salt), so a test can search
outputs for both plaintext and ciphertext; ``sealed_as=1`` seals them as release 0.1 did
(v1_token: the documented version-1 derivation, computed without the collection's code).
"""

import base64
import dataclasses
import hashlib
import os

import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import install_salt, secret_box

try:
    from cryptography.fernet import Fernet
except ImportError:  # pragma: no cover - requirements install it
    Fernet = None
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    Credential,
    Device,
    Job,
    Tag,
    credential_tag_association,
    device_tag_association,
    job_tags,
)


@dataclasses.dataclass
class Seeded:
    """Name -> id maps of what was inserted, plus each credential's ciphertext (for leak checks)."""

    tags: dict
    credentials: dict
    devices: dict
    jobs: dict
    ciphertexts: dict


def _ids(conn, column_id, column_name, names):
    wanted = set(names)
    if not wanted:
        return {}
    return {name: ident for ident, name in conn.execute(sa.select(column_id, column_name)) if name in wanted}


def v1_fernet(passphrase, salt="netraven_salt"):
    """The cipher of release 0.1 (format version 1): PBKDF2-SHA256, 100,000 rounds, the static salt."""
    raw = hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt.encode("utf-8"), 100000, 32)
    return Fernet(base64.urlsafe_b64encode(raw))


def v1_token(passphrase, plaintext, salt="netraven_salt"):
    """A value sealed as 0.1 sealed it: a bare Fernet token under v1_fernet."""
    return v1_fernet(passphrase, salt).encrypt(plaintext.encode("utf-8")).decode("ascii")


class Version1Box:
    """Seals as release 0.1 did, for seeding a database as an upgrade finds it (one derivation per box)."""

    def __init__(self, key=None):
        self.fernet = v1_fernet(key or os.environ.get("NETRAVEN_ENCRYPTION_KEY", ""))

    def encrypt(self, plaintext):
        return self.fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")


def seed(db, tags=(), credentials=(), devices=(), jobs=(), key=None, sealed_as=2):
    """Insert everything in one transaction; returns a Seeded.

    db: a URL or an engine. tags: names. credentials: dicts {name, username, password,
    priority=100, tags=[...]}. devices: dicts {hostname, ip_address, device_type='cisco_ios',
    port=22, enabled=True, tags=[...], last_credential=<credential name>}. jobs: dicts {name, tags}.
    Tags named by credentials, devices or jobs are created too (existing ones are reused). key: encryption passphrase
    (default NETRAVEN_ENCRYPTION_KEY). sealed_as: the format version of the passwords (1: as 0.1 wrote them).
    """
    engine = create_db_engine(db, check_schema=False) if isinstance(db, str) else db
    box = None
    if credentials:
        # Rows as another tool writes them: sealed with the install's salt, without the install's key check.
        box = Version1Box(key) if sealed_as == 1 else secret_box(key or None, old_keys="", install_salt=install_salt(engine))
    all_tags = list(dict.fromkeys(list(tags) + [t for item in (*credentials, *devices, *jobs) for t in item.get("tags", ())]))
    ciphertexts = {}
    try:
        with engine.begin() as conn:
            existing = _ids(conn, Tag.id, Tag.name, all_tags)
            if len(existing) < len(all_tags):
                conn.execute(sa.insert(Tag), [{"name": name} for name in all_tags if name not in existing])
            tag_ids = _ids(conn, Tag.id, Tag.name, all_tags)
            cred_rows = []
            for cred in credentials:
                ciphertexts[cred["name"]] = box.encrypt(cred["password"])
                cred_rows.append({"name": cred["name"], "username": cred["username"], "password": ciphertexts[cred["name"]],
                                  "priority": cred.get("priority", 100), "description": cred.get("description")})
            if cred_rows:
                conn.execute(sa.insert(Credential), cred_rows)
            cred_ids = _ids(conn, Credential.id, Credential.name, ciphertexts)
            if credentials:
                conn.execute(sa.insert(credential_tag_association), [
                    {"credential_id": cred_ids[c["name"]], "tag_id": tag_ids[t]} for c in credentials for t in c.get("tags", ())])
            if devices:
                conn.execute(sa.insert(Device), [{
                    "hostname": d["hostname"], "ip_address": d["ip_address"], "device_type": d.get("device_type", "cisco_ios"),
                    "port": d.get("port", 22), "enabled": d.get("enabled", True), "description": d.get("description"),
                    "last_credential_id": cred_ids[d["last_credential"]] if d.get("last_credential") else None,
                } for d in devices])
            device_ids = _ids(conn, Device.id, Device.hostname, [d["hostname"] for d in devices])
            assoc = [{"device_id": device_ids[d["hostname"]], "tag_id": tag_ids[t]} for d in devices for t in d.get("tags", ())]
            if assoc:
                conn.execute(sa.insert(device_tag_association), assoc)
            job_ids = {}
            for job in jobs:
                job_ids[job["name"]] = conn.execute(sa.insert(Job).values(name=job["name"]).returning(Job.id)).scalar_one()
                if job.get("tags"):
                    conn.execute(sa.insert(job_tags), [{"job_id": job_ids[job["name"]], "tag_id": tag_ids[t]} for t in job["tags"]])
    finally:
        if isinstance(db, str):
            engine.dispose()
    return Seeded(tags=tag_ids, credentials=cred_ids, devices=device_ids, jobs=job_ids, ciphertexts=ciphertexts)


TAG_GUIDE = {
    "credentials": [
        {"name": "cisco_admin", "username": "cisco_admin", "password": "Cisco-Secret-1", "priority": 10, "tags": ["cisco"]},
        {"name": "juniper_admin", "username": "juniper_admin", "password": "Juniper-Secret-2", "priority": 20, "tags": ["juniper"]},
        {"name": "backup_admin", "username": "backup_admin", "password": "Backup-Secret-3", "priority": 30,
         "tags": ["datacenter_a", "datacenter_b"]},
    ],
    "devices": [
        {"hostname": "core-switch-a", "description": "Core Switch A", "ip_address": "192.0.2.1", "device_type": "cisco_ios",
         "tags": ["datacenter_a", "cisco", "core"]},
        {"hostname": "access-switch-b", "description": "Access Switch B", "ip_address": "192.0.2.2", "device_type": "cisco_ios",
         "port": 2222, "tags": ["datacenter_b", "cisco", "access"]},
        {"hostname": "router-c", "description": "Router C", "ip_address": "192.0.2.3", "device_type": "juniper_junos",
         "tags": ["datacenter_a", "juniper"]},
    ],
}
"""The user guide's tag example: A and B get cisco_admin then backup_admin, C juniper_admin then backup_admin."""


def seed_tag_guide(db, key=None, **extra):
    """Seed the tag guide's example (plus any extra seed() arguments appended to it)."""
    return seed(db, credentials=TAG_GUIDE["credentials"] + list(extra.pop("credentials", [])),
                devices=TAG_GUIDE["devices"] + list(extra.pop("devices", [])), key=key, **extra)
