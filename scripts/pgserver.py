#!/usr/bin/env python
"""Throwaway PostgreSQL server for the test suite (standard library only).

    python scripts/pgserver.py run -- <command...>
        Start a private PostgreSQL on 127.0.0.1 (free port, temporary data directory),
        run <command> with NETRAVEN_TEST_PG_URL set, stop the server and delete its
        directory whatever happens (command failure, SIGINT, SIGTERM, SIGHUP), and
        exit with the command's exit code (128+N when it died of signal N).

    python scripts/pgserver.py serve
        Start a server, print its URL, and keep it until Ctrl-C (for manual work).

NETRAVEN_TEST_PG_URL is a SQLAlchemy URL to the `postgres` database as the `postgres`
superuser with a generated password: postgresql+psycopg2://postgres:PW@127.0.0.1:PORT/postgres.
Tests create (and drop) their own databases from it.

When run as root the server runs as the `postgres` user (PostgreSQL refuses root); otherwise
it runs as the current user.  The postmaster gets PR_SET_PDEATHSIG(SIGQUIT), so even a
SIGKILLed wrapper leaves no server behind; directories left by such a wrapper are swept by
the next start.  Settings favour speed (fsync=off) and concurrency (max_connections=300).
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

PREFIX = 'netraven-pg-'
ENV_URL = 'NETRAVEN_TEST_PG_URL'
# Set beside the URL, so tests can tell this throwaway server from one a developer points them at.
ENV_THROWAWAY = 'NETRAVEN_TEST_PG_THROWAWAY'
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def log(msg: str) -> None:
    print(f'[pgserver] {msg}', file=sys.stderr, flush=True)


class Interrupted(Exception):
    """A stop signal arrived while the server was being started."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def find_bindir(explicit: str | None) -> str:
    candidates = []
    if explicit:
        candidates.append(explicit)
    if os.environ.get('NETRAVEN_PG_BINDIR'):
        candidates.append(os.environ['NETRAVEN_PG_BINDIR'])
    candidates.append('/usr/lib/postgresql/15/bin')
    candidates.extend(sorted(glob.glob('/usr/lib/postgresql/*/bin'), key=_version_key, reverse=True))
    initdb = shutil.which('initdb')
    if initdb:
        candidates.append(os.path.dirname(os.path.realpath(initdb)))
    for cand in candidates:
        if all(os.access(os.path.join(cand, tool), os.X_OK) for tool in ('initdb', 'postgres', 'pg_isready')):
            return cand
    raise SystemExit('pgserver: PostgreSQL server binaries (initdb, postgres, pg_isready) not found; '
                     'install postgresql-15 or set NETRAVEN_PG_BINDIR')


def _version_key(path: str) -> tuple:
    part = path.split('/')[-2]
    return tuple(int(x) for x in part.split('.') if x.isdigit())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(path: str) -> int | None:
    try:
        with open(path, encoding='ascii') as handle:
            return int(handle.readline().strip())
    except (OSError, ValueError):
        return None


def sweep_stale(base: str, min_age: float = 120.0) -> None:
    """Remove directories of earlier runs whose wrapper and postmaster are both gone."""
    now = time.time()
    for path in glob.glob(os.path.join(base, PREFIX + '*')):
        try:
            if now - os.stat(path).st_mtime < min_age:
                continue
        except OSError:
            continue
        pids = [_read_pid(os.path.join(path, 'wrapper.pid')), _read_pid(os.path.join(path, 'data', 'postmaster.pid'))]
        if any(pid and _pid_alive(pid) for pid in pids):
            continue
        log(f'removing stale {path}')
        shutil.rmtree(path, ignore_errors=True)


class Server:
    def __init__(self, bindir: str, max_connections: int, port: int = 0) -> None:
        self.bindir = bindir
        self.max_connections = max_connections
        self.requested_port = port
        self.port = 0
        self.tmpdir: str | None = None
        self.proc: subprocess.Popen | None = None
        self.password = secrets.token_urlsafe(18)
        self.run_as: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self.run_as = pwd.getpwnam('postgres')
            except KeyError:
                raise SystemExit('pgserver: running as root but there is no `postgres` user to run the server as') from None

    # -- helpers ---------------------------------------------------------------------
    def _tool(self, name: str) -> str:
        return os.path.join(self.bindir, name)

    def _env(self) -> dict:
        env = {'PATH': os.environ.get('PATH', os.defpath), 'LC_ALL': 'C', 'LANG': 'C', 'TZ': 'UTC'}
        if self.run_as:
            env.update(HOME=self.run_as.pw_dir, USER=self.run_as.pw_name, LOGNAME=self.run_as.pw_name)
        else:
            env['HOME'] = os.environ.get('HOME', '/')
        return env

    def _as_user(self) -> dict:
        """Popen keyword arguments that drop to the server user (like setpriv/runuser)."""
        if not self.run_as:
            return {}
        return {'user': self.run_as.pw_uid, 'group': self.run_as.pw_gid, 'extra_groups': []}

    @property
    def url(self) -> str:
        pw = urllib.parse.quote(self.password, safe='')
        return f'postgresql+psycopg2://postgres:{pw}@127.0.0.1:{self.port}/postgres'

    @property
    def safe_url(self) -> str:
        return f'postgresql+psycopg2://postgres:***@127.0.0.1:{self.port}/postgres'

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        base = os.environ.get('NETRAVEN_PG_TMPDIR') or ('/tmp' if self.run_as else tempfile.gettempdir())
        sweep_stale(base)
        self.tmpdir = tempfile.mkdtemp(prefix=PREFIX, dir=base)
        with open(os.path.join(self.tmpdir, 'wrapper.pid'), 'w', encoding='ascii') as handle:
            handle.write(f'{os.getpid()}\n')
        pwfile = os.path.join(self.tmpdir, 'pwfile')
        with open(os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w', encoding='utf-8') as handle:
            handle.write(self.password + '\n')
        if self.run_as:
            for path in (self.tmpdir, pwfile):
                os.chown(path, self.run_as.pw_uid, self.run_as.pw_gid)

        datadir = os.path.join(self.tmpdir, 'data')
        started = time.monotonic()
        init = subprocess.run(
            [self._tool('initdb'), '-D', datadir, '-U', 'postgres', '--pwfile', pwfile, '-E', 'UTF8',
             '--locale=C', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '--no-instructions'],
            env=self._env(), cwd=self.tmpdir, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, **self._as_user())
        os.unlink(pwfile)
        if init.returncode != 0:
            raise RuntimeError(f'initdb failed (exit {init.returncode}):\n{init.stdout}')

        for attempt in range(5):
            self.port = self.requested_port or free_port()
            if self._launch(datadir):
                log(f'PostgreSQL {self._version()} ready on 127.0.0.1:{self.port} '
                    f'({time.monotonic() - started:.1f}s, data {datadir})')
                return
            if self.requested_port or attempt == 4:
                break
            log(f'port {self.port} was taken, retrying')
        raise RuntimeError('PostgreSQL did not start:\n' + self._log_tail())

    def _launch(self, datadir: str) -> bool:
        logfile = os.path.join(self.tmpdir, 'postgres.log')
        settings = {
            'listen_addresses': '127.0.0.1',
            'port': str(self.port),
            'unix_socket_directories': self.tmpdir,
            'max_connections': str(self.max_connections),
            'shared_buffers': '128MB',
            'fsync': 'off',
            'synchronous_commit': 'off',
            'full_page_writes': 'off',
            'log_min_messages': 'warning',
            'log_connections': 'off',
        }
        cmd = [self._tool('postgres'), '-D', datadir]
        for key, value in settings.items():
            cmd += ['-c', f'{key}={value}']
        with open(logfile, 'ab') as out:
            if self.run_as:
                os.fchown(out.fileno(), self.run_as.pw_uid, self.run_as.pw_gid)
            # A session of its own: a terminal Ctrl-C reaches the tests, not the server,
            # which we stop ourselves once the command is done.
            self.proc = subprocess.Popen(
                cmd, env=self._env(), cwd=self.tmpdir, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                start_new_session=True, preexec_fn=_die_with_parent, **self._as_user())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                return False
            ready = subprocess.run(
                [self._tool('pg_isready'), '-q', '-h', '127.0.0.1', '-p', str(self.port), '-t', '2'],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            if ready.returncode == 0:
                return True
            time.sleep(0.1)
        self._stop_postmaster()
        raise RuntimeError('PostgreSQL did not become ready within 60s:\n' + self._log_tail())

    def _version(self) -> str:
        out = subprocess.run([self._tool('postgres'), '--version'], capture_output=True, text=True, check=False)
        match = re.search(r'\(PostgreSQL\) (\S+)', out.stdout)
        return match.group(1) if match else '?'

    def _log_tail(self, lines: int = 30) -> str:
        try:
            with open(os.path.join(self.tmpdir, 'postgres.log'), encoding='utf-8', errors='replace') as handle:
                return ''.join(handle.readlines()[-lines:])
        except (OSError, TypeError):
            return '(no log)'

    def _stop_postmaster(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        # SIGINT = fast shutdown (disconnect clients, checkpoint); then immediate; then kill.
        for sig, wait in ((signal.SIGINT, 30), (signal.SIGQUIT, 10), (signal.SIGKILL, 10)):
            try:
                proc.send_signal(sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                log(f'postmaster still running after {signal.Signals(sig).name}')

    def stop(self) -> None:
        try:
            self._stop_postmaster()
        finally:
            if self.tmpdir:
                shutil.rmtree(self.tmpdir, ignore_errors=True)
                if os.path.exists(self.tmpdir):
                    log(f'could not remove {self.tmpdir}')
                self.tmpdir = None


def _die_with_parent() -> None:
    """In the server's child process: get SIGQUIT (immediate shutdown) if the wrapper dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGQUIT)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Supervisor:
    """Signal handling: abort the start-up, or stop the command when we are told to stop.

    A stop signal (SIGINT, SIGTERM, SIGHUP) is passed on to the command, or with
    polite=True turned into a SIGINT, which lets a Python command (pytest) run its cleanup
    (fixture teardown) where SIGTERM would end it on the spot.  A SIGINT usually came from
    the terminal to the whole process group, so the command has it already: it is passed on
    only when the command is still running `grace` seconds later.  Then SIGTERM at
    `term_after` and SIGKILL at `kill_after` seconds after the first signal.
    """

    def __init__(self, polite: bool = True, grace: float = 5, term_after: float = 30, kill_after: float = 45) -> None:
        self.child: subprocess.Popen | None = None
        self.received: list[tuple[int, float]] = []
        self.polite = polite
        self.grace, self.term_after, self.kill_after = grace, term_after, kill_after

    def install(self) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._handler)

    def quiet(self) -> None:
        """During cleanup, further signals must not cut it short (it is bounded in time)."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)

    def _handler(self, signum: int, _frame) -> None:
        self.received.append((signum, time.monotonic()))
        if self.child is None:
            raise Interrupted(signum)

    def wait(self) -> int:
        """Wait for the command; returns its exit status (negative: killed by that signal)."""
        sent: set[int] = set()
        while True:
            try:
                return self.child.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
            if not self.received:
                continue
            now = time.monotonic()
            for signum, when in self.received:
                if signum == signal.SIGINT and now - when < self.grace:
                    continue
                passed_on = signal.SIGINT if self.polite else signum
                if passed_on not in sent:
                    sent.add(passed_on)
                    self._send(passed_on)
            elapsed = now - self.received[0][1]
            if elapsed >= self.term_after and signal.SIGTERM not in sent:
                log(f'command still running {self.term_after:.0f}s after the stop signal: SIGTERM')
                sent.add(signal.SIGTERM)
                self._send(signal.SIGTERM)
            if elapsed >= self.kill_after:
                log(f'command still running {self.kill_after:.0f}s after the stop signal: SIGKILL')
                self._send(signal.SIGKILL)
                return self.child.wait()

    def _send(self, signum: int) -> None:
        try:
            self.child.send_signal(signum)
        except ProcessLookupError:
            pass

    def exit_code(self, returncode: int) -> int:
        """The command's exit code, or 128+N when we were stopped by signal N."""
        if self.received:
            return 128 + self.received[0][0]
        return exit_code(returncode)


def exit_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def cmd_run(args: argparse.Namespace, command: list[str]) -> int:
    if not command:
        raise SystemExit('pgserver run: give a command after --')
    server = Server(find_bindir(args.bindir), args.max_connections, args.port)
    sup = Supervisor()
    sup.install()
    try:
        server.start()
        env = dict(os.environ, **{ENV_URL: server.url, ENV_THROWAWAY: '1'})
        log(f'{ENV_URL}={server.safe_url}')
        try:
            sup.child = subprocess.Popen(command, env=env)
        except FileNotFoundError:
            log(f'command not found: {command[0]}')
            return 127
        return sup.exit_code(sup.wait())
    except Interrupted as exc:
        log(f'interrupted by {exc} during start-up')
        return 128 + exc.signum
    except RuntimeError as exc:
        log(str(exc))
        return 1
    finally:
        sup.quiet()
        server.stop()
        log('server stopped, data directory removed')


def cmd_serve(args: argparse.Namespace) -> int:
    server = Server(find_bindir(args.bindir), args.max_connections, args.port)
    sup = Supervisor()
    sup.install()
    try:
        server.start()
        print(f'export {ENV_URL}={server.url}', flush=True)
        log('serving until Ctrl-C / SIGTERM')
        while True:
            time.sleep(3600)
    except Interrupted:
        return 0
    except RuntimeError as exc:
        log(str(exc))
        return 1
    finally:
        sup.quiet()
        server.stop()
        log('server stopped, data directory removed')


def main(argv: list[str]) -> int:
    command: list[str] = []
    if '--' in argv:
        idx = argv.index('--')
        argv, command = argv[:idx], argv[idx + 1:]
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    sub = parser.add_subparsers(dest='action', required=True)
    for name, helptext in (('run', 'run a command against a throwaway server'), ('serve', 'start a server until Ctrl-C')):
        p = sub.add_parser(name, help=helptext)
        p.add_argument('--bindir', help='PostgreSQL bin directory (default: NETRAVEN_PG_BINDIR or PostgreSQL 15)')
        p.add_argument('--port', type=int, default=0, help='TCP port (default: a free one)')
        p.add_argument('--max-connections', type=int, default=300)
    args = parser.parse_args(argv)
    if args.action == 'run':
        return cmd_run(args, command)
    return cmd_serve(args)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
