"""No secret in inventory output or cache (docs/architecture.md: "The path of one device"), and the cache itself, on both backends.

The plugin never selects the password column, so neither plaintext nor ciphertext may show
in --list, --graph, --host or the jsonfile cache; nor may the database URL's password, the
old passphrases of NETRAVEN_ENCRYPTION_OLD_KEYS, or the install's key-derivation salt.
"""

import os

import pytest
import sqlalchemy as sa

from _inventory_support import ansible_inventory, inventory_list, plain, write_config  # pylint: disable=import-error
from _seed import TAG_GUIDE, seed_tag_guide  # pylint: disable=import-error

pytestmark = pytest.mark.slow

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts with it (version byte + timestamp)
URL_PASSWORD = "Cach3Url-Pw"
OLD_PASSPHRASES = "Inventory-Old-Passphrase-1\nInventory, Older Passphrase 2"


def _install_salt(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT value FROM install_secrets WHERE name = 'kdf_salt'")).scalar_one()
    finally:
        engine.dispose()


def _url_with_password(url):
    """The URL with a password: its own under make test, else one the trust-auth server ignores."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return url, None
    if not parsed.password:
        parsed = parsed.set(password=URL_PASSWORD)
    return parsed.render_as_string(hide_password=False), parsed.password


def _cache_text(cache_dir):
    texts = []
    for name in sorted(os.listdir(cache_dir)):
        with open(os.path.join(cache_dir, name), encoding="utf-8") as handle:
            texts.append(handle.read())
    return "\n".join(texts)


def test_no_secret_in_output_or_cache(db_url, ansible_env, tmp_path):
    seeded = seed_tag_guide(db_url)
    url, url_password = _url_with_password(db_url)
    cache_dir = tmp_path / "cache"
    source = write_config(tmp_path, db_url=url, cache=True, cache_plugin="ansible.builtin.jsonfile",
                          cache_connection=str(cache_dir), cache_timeout=3600)
    env = dict(ansible_env, NETRAVEN_ENCRYPTION_OLD_KEYS=OLD_PASSPHRASES)
    env.pop("NETRAVEN_DB_URL")  # the URL comes from the configuration file here

    outputs = [ansible_inventory(env, source, "--list"), ansible_inventory(env, source, "--graph"),
               ansible_inventory(env, source, "--host", "core-switch-a")]
    cache = _cache_text(cache_dir)
    assert "core-switch-a" in cache and "backup_admin" in cache  # the cache really holds the inventory
    haystacks = [proc.stdout + proc.stderr for proc in outputs] + [cache]
    secrets = [c["password"] for c in TAG_GUIDE["credentials"]] + list(seeded.ciphertexts.values())
    secrets += OLD_PASSPHRASES.splitlines() + [env["NETRAVEN_ENCRYPTION_KEY"], _install_salt(db_url)]
    if url_password:
        secrets.append(url_password)
    for haystack in haystacks:
        for secret in secrets:
            assert secret not in haystack
        assert FERNET_PREFIX not in haystack
    assert all("core-switch-a" in proc.stdout or "cisco_admin" in proc.stdout for proc in outputs)


def test_cache_serves_until_flushed_or_options_change(db_url, ansible_env, tmp_path):
    seed_tag_guide(db_url)
    cache_options = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
                     "cache_timeout": 3600}
    source = write_config(tmp_path, **cache_options)
    first = plain(inventory_list(ansible_env, source)[0])
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM devices WHERE hostname = 'router-c'")
    engine.dispose()

    assert plain(inventory_list(ansible_env, source)[0]) == first  # served from the cache
    flushed = plain(inventory_list(ansible_env, source, "--flush-cache")[0])
    assert "router-c" not in flushed["_meta"]["hostvars"]
    assert sorted(flushed["_meta"]["hostvars"]) == ["access-switch-b", "core-switch-a"]

    # Same file, other options: the cached entry no longer matches and is not used.
    write_config(tmp_path, tags=["datacenter_a"], **cache_options)
    assert sorted(plain(inventory_list(ansible_env, source)[0])["_meta"]["hostvars"]) == ["core-switch-a"]
