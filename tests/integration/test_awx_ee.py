"""Execution environment: what ansible-builder finds in the built collection, and the example definition.

An EE build installs the collection, then runs ``ansible-builder introspect`` over the
installed collections and installs the Python and system requirements it reports; the
test does the same on a scratch install of the built tarball. The example definition in
docs/awx must be a valid version 3 file that ansible-builder turns into a build context
(``create`` writes the Containerfile without building an image: no network).
"""

import os
import shutil
import sys

import pytest
import yaml

from _awx_support import AWX_DOCS, REPO_ROOT, run  # pylint: disable=import-error

pytestmark = pytest.mark.awx

REQUIRED_PYTHON = ["netmiko", "sqlalchemy", "alembic", "psycopg2", "cryptography"]


def ansible_builder():
    """ansible-builder next to this Python or on PATH; its absence fails under CI (requirements-test.txt has it)."""
    path = os.path.join(os.path.dirname(sys.executable), "ansible-builder")
    path = path if os.path.exists(path) else shutil.which("ansible-builder")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("ansible-builder is not installed (requirements-test.txt)")
        pytest.skip("ansible-builder is not installed")
    return path


def requirement_name(line):
    """'psycopg2-binary>=2.9,<3  # from collection x' -> 'psycopg2-binary'."""
    spec = line.split("#", 1)[0].strip()
    for separator in "<>=!~[; ":
        spec = spec.split(separator, 1)[0]
    return spec.lower()


def bindep_entries(path):
    with open(path, encoding="utf-8") as stream:
        return [line.strip() for line in stream if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The collection built from the checkout and installed into a scratch collections path."""
    base = tmp_path_factory.mktemp("awx-ee")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "NETRAVEN_"))}
    env.update({"HOME": str(base / "home"), "ANSIBLE_GALAXY_SERVER_LIST": "", "ANSIBLE_NOCOLOR": "1"})
    built = run(["ansible-galaxy", "collection", "build", "--output-path", str(base / "dist"), REPO_ROOT], env)
    assert built.returncode == 0, built.stdout + built.stderr
    (tarball,) = (base / "dist").glob("netraven-netraven-*.tar.gz")
    done = run(["ansible-galaxy", "collection", "install", "--offline", "-p", str(base / "collections"), str(tarball)], env)
    assert done.returncode == 0, done.stdout + done.stderr
    return base


def test_installed_collection_declares_its_requirements(installed):
    root = installed / "collections" / "ansible_collections" / "netraven" / "netraven"
    with open(root / "meta" / "execution-environment.yml", encoding="utf-8") as stream:
        meta = yaml.safe_load(stream)
    assert meta["version"] == 1
    assert (root / meta["dependencies"]["python"]).is_file() and (root / meta["dependencies"]["system"]).is_file()


def test_introspect_lists_python_and_system_requirements(installed):
    builder = ansible_builder()
    pip_out, bindep_out = installed / "introspect-requirements.txt", installed / "introspect-bindep.txt"
    # The command the EE build runs in its builder stage (introspect.py introspect --write-...).
    result = run([builder, "introspect", "--write-pip", str(pip_out), "--write-bindep", str(bindep_out),
                  str(installed / "collections")], dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr
    report = yaml.safe_load(result.stdout.split("---", 1)[1])

    python = report["python"]
    assert all(line.endswith("# from collection netraven.netraven") for line in python)
    names = [requirement_name(line) for line in python]
    for wanted in REQUIRED_PYTHON:
        assert [name for name in names if name == wanted or name.startswith(wanted + "-")], (wanted, names)
    system = [line.split("#", 1)[0].strip() for line in report["system"]]
    assert system == bindep_entries(os.path.join(REPO_ROOT, "bindep.txt"))
    assert [entry for entry in system if entry.startswith(("libpq-dev ", "postgresql-devel "))] == [
        "libpq-dev [platform:dpkg compile]", "postgresql-devel [platform:rpm compile]"]

    written = [requirement_name(line) for line in pip_out.read_text().splitlines() if line.strip()]
    assert sorted(written) == sorted(names), "the pip file the build installs from"
    assert [line.split("#", 1)[0].strip() for line in bindep_out.read_text().splitlines() if line.strip()] == system


def test_example_definition_makes_a_build_context(tmp_path):
    builder = ansible_builder()
    context = tmp_path / "context"
    result = run([builder, "create", "-f", os.path.join(AWX_DOCS, "execution-environment.yml"), "-c", str(context),
                  "--output-filename", "Containerfile"], dict(os.environ), cwd=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="ghcr.io/ansible-community/community-ee-minimal:latest"' in containerfile
    assert "ansible-galaxy collection install" in containerfile
    assert "introspect --write-bindep=" in containerfile, "requirements come from the installed collection"
    assert "import netmiko, sqlalchemy, alembic, psycopg2, cryptography" in containerfile
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert [item["name"] for item in galaxy["collections"]] == ["netraven.netraven", "community.general"]
    assert not (context / "_build" / "requirements.txt").exists(), "no Python requirements of its own"
