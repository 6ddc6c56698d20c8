"""A database URL's password never shows, whatever characters it holds (spaces, @, :, /, %, non-ASCII), on a real PostgreSQL.

Each password belongs to a role made for the test on the throwaway server, so the URL really
connects with it: the migrate result, the "Database ... is unavailable" message (a database that does not
exist: the server answers, naming it) and the inventory cache's source field are read back
for passwords with a space, '@', ':', '/', '%' and non-ASCII characters, written both
URL-encoded and as typed.
"""

import os
import urllib.parse

import pytest
import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, describe_engine
from ansible_collections.netraven.netraven.plugins.module_utils._errors import DatabaseUnavailableError, NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._inventory._hosts import source_fingerprint
from ansible_collections.netraven.netraven.plugins.module_utils._db._migrations import migrate

from _databases import require_pg  # pylint: disable=import-error
from _inventory_support import ansible_inventory, write_config  # pylint: disable=import-error

# The last one: an unencoded '@' followed by '/', which SQLAlchemy cuts into a password,
# a host and a database name.
PASSWORDS = ["correct horse battery", "p@ss@w0rd", "a:b:c:d", "sl/ash/es", "per%cent%25", "pässwörd-ü", "x y@z:/%ü",
             "Zq@x9/Secr3tW"]


def fragments(password):
    """The password, as typed and encoded, and every 5-character piece of it (a tail must not leak either)."""
    forms = {password, urllib.parse.quote(password, safe=""), urllib.parse.quote_plus(password)}
    return sorted(forms | {password[i:i + 5] for i in range(len(password) - 4) if password[i:i + 5].strip()})


def with_password(url, password, encoded=True):
    """The URL for a role (created once per password) that logs in with password, written encoded or as typed."""
    parsed = sa.engine.make_url(url)
    role = "nr_pw_%d" % PASSWORDS.index(password)
    admin = sa.create_engine(parsed, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(role)s", {"role": role}).first()
            verb = "ALTER" if exists else "CREATE"
            connection.exec_driver_sql("%s ROLE %s LOGIN SUPERUSER PASSWORD %%(password)s" % (verb, role), {"password": password})
    finally:
        admin.dispose()
    written = urllib.parse.quote(password, safe="") if encoded else password
    host = "%s:%s" % (parsed.host, parsed.port)
    return "postgresql+psycopg2://%s:%s@%s/%s" % (role, written, host, parsed.database)


def assert_hidden(text, password):
    for fragment in fragments(password):
        assert fragment not in text, (fragment, text)


@pytest.fixture
def pg_url(database_factories):
    """A fresh, unmigrated database on the test PostgreSQL (the URL's password only matters to a server)."""
    require_pg()
    return database_factories["postgresql"].new_url(migrated=False)


@pytest.mark.postgres
@pytest.mark.parametrize("password", PASSWORDS)
def test_migrate_result_and_unavailable_message_hide_the_password(pg_url, password):
    url = with_password(pg_url, password)
    result = migrate(url)
    assert result["after"] and "***" in result["database"]
    assert_hidden(repr(result), password)
    engine = create_db_engine(url)
    try:
        assert "***" in describe_engine(engine)
        assert_hidden(describe_engine(engine), password)
    finally:
        engine.dispose()
    missing = url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(DatabaseUnavailableError) as refused:
        create_db_engine(missing)
    message = str(refused.value)
    assert message.startswith("Database postgresql+psycopg2://") and "is unavailable" in message and "\n" not in message
    assert "no_such_database" in message
    assert_hidden(message, password)


@pytest.mark.postgres
@pytest.mark.parametrize("password", PASSWORDS)
def test_unencoded_passwords_are_hidden_in_the_messages(pg_url, password):
    """As typed, unencoded: an '@' sends its tail to the driver as the host, which then names it in its error."""
    url = with_password(pg_url, password, encoded=False)
    try:
        shown = repr(migrate(url))
    except NetRavenError as error:  # the URL does not parse, or the driver cannot resolve the host it was given
        shown = str(error)
        assert "\n" not in shown and shown.startswith(("Database ", "Invalid database URL", "Cannot migrate")), shown
    assert_hidden(shown, password)
    assert_hidden(source_fingerprint(db_url=url), password)


@pytest.mark.parametrize("password", PASSWORDS)
def test_inventory_source_field_hides_the_password(password):
    for encoded in (True, False):
        written = urllib.parse.quote(password, safe="") if encoded else password
        source = source_fingerprint(db_url="postgresql+psycopg2://netraven:%s@db.example.com:5432/netraven" % written)
        assert "netraven:***@db.example.com:5432/netraven" in source, source
        assert_hidden(source, password)


@pytest.mark.postgres
def test_a_secret_query_value_is_hidden(pg_url):
    """libpq's client key passphrase (sslpassword) and any query value named like a secret are masked."""
    url = with_password(pg_url, PASSWORDS[0])
    secret = "KeyPassphrase-9z"
    for query in ("?sslmode=disable&sslpassword=%s", "?sslmode=disable&api_token=%s&client_secret=%s"):
        missing = url.rsplit("/", 1)[0] + "/no_such_database" + query.replace("%s", secret)
        with pytest.raises(DatabaseUnavailableError) as refused:
            create_db_engine(missing)
        message = str(refused.value)
        assert "is unavailable" in message and "sslmode=disable" in message and "=***" in message, message
        assert secret not in message


@pytest.mark.postgres
def test_inventory_cache_file_hides_the_password(pg_url, ansible_env, tmp_path):
    password = PASSWORDS[6]
    url = with_password(pg_url, password)
    migrate(url)
    cache_dir = tmp_path / "cache"
    source = write_config(tmp_path, db_url=url, cache=True, cache_plugin="ansible.builtin.jsonfile",
                          cache_connection=str(cache_dir), cache_timeout=3600)
    env = dict(ansible_env)
    env.pop("NETRAVEN_DB_URL", None)
    listed = ansible_inventory(env, source, "--list")
    cached = "\n".join(open(os.path.join(cache_dir, name), encoding="utf-8").read() for name in sorted(os.listdir(cache_dir)))
    assert 'source' in cached and "postgresql+psycopg2://nr_pw_6:***@" in cached
    for text in (cached, listed.stdout + listed.stderr):
        assert_hidden(text, password)
