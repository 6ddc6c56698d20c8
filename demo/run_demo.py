"""The NetRaven demo (``make demo``): the whole main job against a simulated network.

Run it with the project virtualenv's Python (``make demo`` does); it needs nothing else:

1. builds the collection and installs it into ``<workdir>/collections`` (so that
   ``netraven.netraven.*`` resolves exactly as for a user who installed it),
2. migrates an embedded SQLite database, ``<workdir>/netraven.db``
   (``ansible-playbook netraven.netraven.migrate``),
3. starts the device lab (``python -m devicelab --spec ...``, demo/lab.yml: 25 devices on three
   platforms, a few of them faulty on purpose) and waits for its READY line,
4. describes the estate with the collection's management modules (demo/estate.yml),
5. runs ``ansible-playbook netraven.netraven.backup -i demo/demo.netraven.yml`` twice: the first
   run falls through the credential chains (failed logins), the second starts with the credential
   that worked, so it has no failed login and finds every configuration unchanged,
6. checks each job's status (COMPLETED_PARTIAL_FAILURE: the faulty devices fail by design, so
   ansible-playbook exits non-zero) and prints the counts and the path of the HTML report.

The lab is stopped on every exit (error, Ctrl-C, SIGTERM); a lab a killed demo left behind is
stopped at the next start. The work directory (default ``.demo/`` in the checkout, or
``--workdir`` / ``NETRAVEN_DEMO_DIR``) keeps the database between runs, and the lab keeps its
loopback block from one run to the next, so a second demo changes nothing in the estate.
Exit status: 0 when everything behaved as described, 1 otherwise, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import glob
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time

DEMO_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(DEMO_DIR)
sys.path.insert(0, REPO_ROOT)

import yaml  # noqa: E402  pylint: disable=wrong-import-position

from devicelab import records  # noqa: E402  pylint: disable=wrong-import-position
from devicelab.addresses import AddressPool, default_lock_dir  # noqa: E402  pylint: disable=wrong-import-position

# The demo's own passphrase: the demo database is encrypted with it, never a real one.
DEMO_KEY = "netraven-demo-passphrase"
EXPECTED_STATUS = "COMPLETED_PARTIAL_FAILURE"
# The slow device answers in 8 s (demo/lab.yml); waiting 3 s makes it a timeout, quickly.
BACKUP_EXTRA_VARS = ["-e", "netraven_command_timeout=3", "-e", "netraven_connect_timeout=5"]
BACKUP_FORKS = "10"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class DemoError(Exception):
    """The demo cannot go on; the message says why (one line)."""


def say(text=""):
    """A line of the demo's own output (flushed: progress must show as it happens)."""
    print(text, flush=True)


def step(number, total, text):
    say()
    say("== [%d/%d] %s" % (number, total, text))


# --------------------------------------------------------------------------- processes

def _die_with_parent():
    """In the child, before exec: SIGTERM when the demo dies, even by SIGKILL (Linux prctl)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _running(pid):
    """Whether pid is a live process (a zombie is not)."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def run_streamed(command, env, check=True):
    """Run a command, echo its output line by line, return (exit status, output without colours)."""
    say("$ " + " ".join(command))
    proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, bufsize=1, preexec_fn=_die_with_parent)
    lines = []
    try:
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(ANSI.sub("", line))
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
    output = "".join(lines)
    if check and proc.returncode != 0:
        raise DemoError("%s failed (exit status %d)" % (os.path.basename(command[0]), proc.returncode))
    return proc.returncode, output


def recap_changed(output):
    """The changed= count of localhost in a PLAY RECAP (None when there is no recap)."""
    match = re.search(r"^localhost\s*:.*?changed=(\d+)", output, re.M)
    return int(match.group(1)) if match else None


class DeviceLab:
    """The device lab as a child process (python -m devicelab), with a pid file for clean-ups."""

    def __init__(self, workdir, python):
        self.workdir = workdir
        self.python = python
        self.spec_path = os.path.join(workdir, "lab.json")
        self.inventory = os.path.join(workdir, "lab-inventory.json")
        self.record = os.path.join(workdir, "logins.jsonl")
        self.log_path = os.path.join(workdir, "lab.log")
        self.pid_path = os.path.join(workdir, "lab.pid")
        self.block_path = os.path.join(workdir, "lab-block")
        self.proc = None
        self._lock_fd = None
        self._pool = None

    # ---- a lab left behind by a killed demo
    def stop_previous(self):
        """Stop the lab a previous demo in this work directory left running, if any."""
        try:
            with open(self.pid_path, encoding="ascii") as handle:
                pid = int(handle.read().strip())
        except (OSError, ValueError):
            return
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            cmdline = ""
        # Only our own lab: the pid may have been reused by another process since.
        if "devicelab" in cmdline and self.spec_path in cmdline:
            say("Stopping the lab a previous demo left running (pid %d)" % pid)
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _running(pid):
                time.sleep(0.1)
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        os.unlink(self.pid_path)

    # ---- addresses: the same /24 loopback block every run, so the estate does not change
    def _lock_block(self, prefix):
        lock_dir = default_lock_dir()
        os.makedirs(lock_dir, exist_ok=True)
        fd = os.open(os.path.join(lock_dir, prefix + ".lock"), os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    def _choose_block(self):
        """The block of the previous run when it is free, else a fresh one (the estate then moves)."""
        try:
            with open(self.block_path, encoding="ascii") as handle:
                previous = handle.read().strip()
        except OSError:
            previous = ""
        if re.match(r"^127\.1\d\d\.\d{1,3}$", previous) and self._lock_block(previous):
            return previous
        # Same locks as every device lab: concurrent labs (tests, benchmarks) never share a block.
        self._pool = AddressPool()
        self._pool.reserve(1)
        prefix = self._pool.blocks[0]
        if previous:
            say("The lab's previous addresses (%s.0/24) are in use: moving to %s.0/24" % (previous, prefix))
        with open(self.block_path, "w", encoding="ascii") as handle:
            handle.write(prefix + "\n")
        return prefix

    def write_spec(self, source):
        """The lab spec to run: demo/lab.yml with a fixed address per device."""
        with open(source, encoding="utf-8") as handle:
            spec = yaml.safe_load(handle)
        prefix = self._choose_block()
        for number, device in enumerate(spec["devices"], start=1):
            device.setdefault("address", "%s.%d" % (prefix, number))
        with open(self.spec_path, "w", encoding="utf-8") as handle:
            json.dump(spec, handle, indent=1)
        return len(spec["devices"]), prefix

    # ---- run
    def start(self, timeout=60):
        """Start the lab and wait for its READY line."""
        command = [self.python, "-m", "devicelab", "--spec", self.spec_path, "--inventory-out", self.inventory,
                   "--record", self.record, "--exit-with-parent"]
        say("$ " + " ".join(command))
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.proc = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=log,
                                         stdin=subprocess.DEVNULL, text=True, preexec_fn=_die_with_parent)
        with open(self.pid_path, "w", encoding="ascii") as handle:
            handle.write("%d\n" % self.proc.pid)
        selector = selectors.DefaultSelector()
        selector.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    break
                line = self.proc.stdout.readline()
                if not line:
                    raise DemoError("the device lab stopped before it was ready: %s" % self.log_tail())
                if line.startswith("LAB READY"):
                    say(line.rstrip())
                    return
        finally:
            selector.close()
        raise DemoError("the device lab was not ready after %d s: %s" % (timeout, self.log_tail()))

    def check_running(self):
        """A lab that died under the demo would turn every device into a failure: say so instead."""
        if self.proc is None or self.proc.poll() is not None:
            raise DemoError("the device lab is no longer running: %s" % self.log_tail())

    def log_tail(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                lines = [line.strip() for line in handle if line.strip()]
        except OSError:
            lines = []
        return " | ".join(lines[-3:]) or "no output (see %s)" % self.log_path

    def failed_logins(self):
        return len(records.read(self.record, accepted=False))

    def stop(self):
        """Stop the lab (idempotent) and give its address block back."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            say("Device lab stopped.")
        if self.proc is not None:
            self.proc.stdout.close()
            try:
                os.unlink(self.pid_path)
            except OSError:
                pass
            self.proc = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        if self._pool is not None:
            self._pool.release()
            self._pool = None


# --------------------------------------------------------------------------- database

class DemoDatabase:
    """Reads the demo database (plain SQL on the tables DESIGN.md fixes)."""

    def __init__(self, url):
        import sqlalchemy  # pylint: disable=import-outside-toplevel
        self.sa = sqlalchemy
        self.engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)

    def _scalar(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(self.sa.text(sql), params).scalar()

    def last_job_id(self):
        return self._scalar("SELECT MAX(id) FROM jobs") or 0

    def job(self, job_id):
        """{id, status, by_status, total, succeeded, failed, configs} of one job."""
        with self.engine.connect() as conn:
            status = conn.execute(self.sa.text("SELECT status FROM jobs WHERE id = :id"), {"id": job_id}).scalar()
            by_status = dict(conn.execute(self.sa.text(
                "SELECT status, COUNT(*) FROM job_results WHERE job_id = :id GROUP BY status ORDER BY status"),
                {"id": job_id}).all())
            configs = conn.execute(self.sa.text(
                "SELECT COUNT(*) FROM device_configurations WHERE job_id = :id"), {"id": job_id}).scalar()
        total = sum(by_status.values())
        succeeded = by_status.get("SUCCESS", 0)
        return {"id": job_id, "status": status, "by_status": by_status, "total": total, "succeeded": succeeded,
                "failed": total - succeeded, "configs": configs}

    def dispose(self):
        self.engine.dispose()


# --------------------------------------------------------------------------- the demo

def ansible_env(workdir, collections):
    """Environment of every Ansible command: the demo database and key, the installed collection."""
    env = dict(os.environ)
    bindir = os.path.dirname(sys.executable)
    env.update({
        "PATH": bindir + os.pathsep + env.get("PATH", ""),
        "NETRAVEN_DB_URL": "sqlite:///" + os.path.join(workdir, "netraven.db"),
        "NETRAVEN_ENCRYPTION_KEY": DEMO_KEY,
        "ANSIBLE_COLLECTIONS_PATH": collections,
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        # The lab makes a new SSH host key each time it starts: nothing to verify it against.
        # (On a real network keep host key checking on: see README.md.)
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        # Controller-side modules start faster without their temporary files (about 25% here).
        "ANSIBLE_PIPELINING": "True",
    })
    env.pop("NETRAVEN_ENCRYPTION_SALT", None)
    if sys.stdout.isatty() and "NO_COLOR" not in env:
        env.setdefault("ANSIBLE_FORCE_COLOR", "1")
    return env


def tool(name):
    """An Ansible CLI of this Python's environment."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    return path if os.access(path, os.X_OK) else (shutil.which(name) or name)


def install_collection(workdir, env):
    """Build the collection from the checkout and install it into <workdir>/collections."""
    build_dir = os.path.join(workdir, "build")
    shutil.rmtree(build_dir, ignore_errors=True)
    run_streamed([tool("ansible-galaxy"), "collection", "build", "--force", "--output-path", build_dir, REPO_ROOT], env)
    tarballs = glob.glob(os.path.join(build_dir, "netraven-netraven-*.tar.gz"))
    if len(tarballs) != 1:
        raise DemoError("expected one collection tarball in %s, found %d" % (build_dir, len(tarballs)))
    run_streamed([tool("ansible-galaxy"), "collection", "install", "--force", "-p", env["ANSIBLE_COLLECTIONS_PATH"],
                  tarballs[0]], env)


def backup_run(number, lab, database, env, report):
    """One backup run: the playbook, then its job's status and counts from the database."""
    lab.check_running()
    before_job = database.last_job_id()
    before_failed = lab.failed_logins()
    started = time.monotonic()
    status, _output = run_streamed(
        [tool("ansible-playbook"), "netraven.netraven.backup", "-i", "demo/demo.netraven.yml", "-f", BACKUP_FORKS,
         "-e", "netraven_job_name=demo backup run %d" % number, "-e", "netraven_report_path=" + report]
        + BACKUP_EXTRA_VARS, env, check=False)
    elapsed = time.monotonic() - started
    lab.check_running()
    job_id = database.last_job_id()
    if job_id <= before_job:
        raise DemoError("backup run %d created no job (ansible-playbook exit status %d)" % (number, status))
    job = database.job(job_id)
    job.update(failed_logins=lab.failed_logins() - before_failed, exit_status=status, seconds=elapsed)
    # By design a device that could not be backed up is a failed host: the playbook exits
    # non-zero, and the job status tells whether that is the expected partial failure.
    say()
    say("run %d: job %d %s in %.0f s (ansible-playbook exit status %d: %s)" % (
        number, job_id, job["status"], elapsed, status,
        "failed hosts are the devices that could not be backed up" if status else "no failed host"))
    say("run %d: devices: %d targeted, %d succeeded, %d failed (%s)" % (
        number, job["total"], job["succeeded"], job["failed"],
        ", ".join("%s %d" % item for item in job["by_status"].items() if item[0] != "SUCCESS")))
    say("run %d: failed logins: %d" % (number, job["failed_logins"]))
    say("run %d: configurations stored: %d new, %d unchanged" % (
        number, job["configs"], job["succeeded"] - job["configs"]))
    return job


def check(jobs):
    """The demo's promises; returns the list of broken ones."""
    problems = []
    for number, job in enumerate(jobs, start=1):
        if job["status"] != EXPECTED_STATUS:
            problems.append("run %d: job status %s, expected %s" % (number, job["status"], EXPECTED_STATUS))
    second = jobs[-1]
    if second["failed_logins"]:
        problems.append("run 2: %d failed logins, expected none (the last working credential goes first)"
                        % second["failed_logins"])
    if second["configs"]:
        problems.append("run 2: %d configurations stored, expected none (nothing changed)" % second["configs"])
    return problems


def parse_args(argv):
    parser = argparse.ArgumentParser(description="The NetRaven demo: back up a simulated network, twice.")
    parser.add_argument("--workdir", default=os.environ.get("NETRAVEN_DEMO_DIR") or os.path.join(REPO_ROOT, ".demo"),
                        help="where the database, the lab files and the report live (default: %(default)s)")
    parser.add_argument("--collections-path", metavar="DIR",
                        help="use netraven.netraven from this collections tree instead of building and installing it")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    collections = os.path.abspath(args.collections_path or os.path.join(workdir, "collections"))
    env = ansible_env(workdir, collections)
    report = os.path.join(workdir, "report.html")
    lab = DeviceLab(workdir, sys.executable)
    database = None
    total = 6
    started = time.monotonic()

    def on_sigterm(signum, frame):  # pylint: disable=unused-argument
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        say("NetRaven demo: work directory %s" % workdir)
        lab.stop_previous()
        if args.collections_path:
            step(1, total, "Collection: using %s" % collections)
        else:
            step(1, total, "Build the collection and install it into %s" % collections)
            install_collection(workdir, env)

        step(2, total, "Migrate the embedded database %s" % env["NETRAVEN_DB_URL"])
        run_streamed([tool("ansible-playbook"), "netraven.netraven.migrate"], env)

        count, prefix = lab.write_spec(os.path.join(DEMO_DIR, "lab.yml"))
        step(3, total, "Start the device lab: %d simulated devices on %s.0/24" % (count, prefix))
        lab.start()

        step(4, total, "Describe the estate: tags, credentials, devices (demo/estate.yml)")
        lab.check_running()
        _status, output = run_streamed(
            [tool("ansible-playbook"), "demo/estate.yml", "-e", "demo_lab_inventory=" + lab.inventory], env)
        say("estate: %s change(s)" % recap_changed(output))

        database = DemoDatabase(env["NETRAVEN_DB_URL"])
        jobs = []
        for number in (1, 2):
            step(4 + number, total, "Backup run %d: ansible-playbook netraven.netraven.backup" % number)
            jobs.append(backup_run(number, lab, database, env, report))
    except DemoError as error:
        say()
        say("demo failed: %s" % error)
        return 1
    except KeyboardInterrupt:
        say()
        say("demo interrupted")
        return 130
    finally:
        lab.stop()
        if database is not None:
            database.dispose()

    problems = check(jobs)
    say()
    say("== NetRaven demo finished in %.0f s" % (time.monotonic() - started))
    for number, job in enumerate(jobs, start=1):
        say("run %d: job %d %s: %d devices, %d succeeded, %d failed; failed logins: %d; %d new configurations" % (
            number, job["id"], job["status"], job["total"], job["succeeded"], job["failed"], job["failed_logins"],
            job["configs"]))
    say("HTML report of the last job: %s" % report)
    say("Database: %s (NETRAVEN_ENCRYPTION_KEY=%s)" % (env["NETRAVEN_DB_URL"], DEMO_KEY))
    if problems:
        for problem in problems:
            say("demo check failed: %s" % problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
