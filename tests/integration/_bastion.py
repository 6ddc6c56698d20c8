"""Real OpenSSH bastions on loopback for the jump host tests, and firewall rules that make them necessary.

Each bastion is Debian's ``sshd`` started by the test with its own configuration and host key,
on a loopback address of the device lab's pool (so concurrent runs never collide), for a user
of its own. Those users exist only for these sshd processes: each runs in a private mount
namespace (``unshare --mount``) where ``/etc/passwd``, ``/etc/shadow`` and ``/etc/group`` are
the system's plus the bastion users, and ``/run`` is a fresh tmpfs for sshd's privilege
separation directory. Nothing of the machine's own configuration changes.

``only_from(address, port, uid)`` proves a target is reachable only through a bastion: an
iptables OUTPUT rule rejects TCP to address:port from any process but those of that uid (sshd
opens a forwarded connection as the logged-in user). Rules carry a comment unique to this
test run and are removed at the end, whatever happens.

``unavailable()`` says in one line why the machine cannot do this (not root, no sshd, no
iptables owner match, no unshare), and the tests skip with it.
"""

import functools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

from devicelab.addresses import AddressPool  # pylint: disable=import-error

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
BASE_UID = 61200


def _run(*command, check=True):
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=check)


@functools.lru_cache(maxsize=None)
def unavailable():
    """Why bastion tests cannot run here (one line), or None when they can (asked once per process)."""
    if os.geteuid() != 0:
        return "needs root (a private mount namespace for sshd's users, and iptables)"
    for tool in (SSHD, "iptables", "unshare", "ssh-keygen", "openssl"):
        if not (os.path.exists(tool) if tool.startswith("/") else shutil.which(tool)):
            return "needs %s (apt-get install openssh-server iptables)" % tool
    probe = ["OUTPUT", "-d", "127.0.0.1/32", "-p", "tcp", "--dport", "9", "-m", "owner", "--uid-owner", "65534",
             "-m", "comment", "--comment", "netraven-probe-%d" % os.getpid(), "-j", "ACCEPT"]
    added = _run("iptables", "-I", *probe, check=False)
    if added.returncode != 0:
        return "iptables cannot add an owner-match rule here: %s" % (added.stderr.strip().splitlines() or ["?"])[-1]
    _run("iptables", "-D", *probe, check=False)
    if _run("unshare", "--mount", "true", check=False).returncode != 0:
        return "unshare --mount is not permitted here"
    return None


class Bastions:
    """Bastion sshd processes and firewall rules of one test module; stop() undoes everything."""

    def __init__(self, workdir):
        self.workdir = str(workdir)
        self.tag = "netraven-test-%s" % uuid.uuid4().hex[:8]
        self.pool = AddressPool()
        self.users = {}  # name -> (uid, password hash or None)
        # sshd reads authorized keys as the user: a directory the bastion users may read (public keys only).
        self.keys_dir = tempfile.mkdtemp(prefix="netraven-bastion-keys-")
        os.chmod(self.keys_dir, 0o755)
        self.processes = []
        self.rules = []
        self.host_keys = {}  # address:port -> public key line

    # ---- users -------------------------------------------------------------------------------
    def add_user(self, name, password=None, public_key=None):
        """A bastion user (uid returned) who logs in with a password, a key, or both."""
        uid = BASE_UID + len(self.users)
        hashed = None
        if password is not None:
            hashed = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password, capture_output=True,
                                    text=True, timeout=30, check=True).stdout.strip()
        self.users[name] = (uid, hashed)
        path = os.path.join(self.keys_dir, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write((public_key or "") + "\n")
        os.chmod(path, 0o644)
        return uid

    def _user_files(self):
        """/etc/passwd, /etc/shadow and /etc/group as the bastions' mount namespace sees them."""
        files = {}
        for name in ("passwd", "shadow", "group"):
            with open("/etc/" + name, encoding="utf-8") as handle:
                files[name] = handle.read().rstrip("\n") + "\n"
        for user, (uid, hashed) in self.users.items():
            files["passwd"] += "%s:x:%d:%d:netraven bastion user:/nonexistent:/bin/sh\n" % (user, uid, uid)
            files["shadow"] += "%s:%s:19000:0:99999:7:::\n" % (user, hashed or "*")
            files["group"] += "%s:x:%d:\n" % (user, uid)
        paths = {}
        for name, text in files.items():
            paths[name] = os.path.join(self.workdir, "etc-" + name)
            with open(paths[name], "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(paths[name], 0o600 if name == "shadow" else 0o644)
        return paths

    # ---- sshd --------------------------------------------------------------------------------
    def start(self, name, extra_addresses=0, host_key_type="ed25519", extra_config=""):
        """Start a bastion sshd; returns (address, port, [extra addresses]) once it accepts connections.

        host_key_type is ssh-keygen's -t; extra_config lines go first in sshd_config, where sshd's
        first value wins (for example an old server's KexAlgorithms).
        """
        addresses = self.pool.reserve(1 + extra_addresses)
        port = _free_port(addresses[0])
        key = os.path.join(self.workdir, "%s_host_%s" % (name, host_key_type))
        _run("ssh-keygen", "-q", "-t", host_key_type, "-N", "", "-f", key)
        with open(key + ".pub", encoding="utf-8") as handle:
            public = " ".join(handle.read().split()[:2])
        config = os.path.join(self.workdir, "%s_sshd_config" % name)
        with open(config, "w", encoding="utf-8") as handle:
            handle.write(extra_config + "".join("ListenAddress %s:%d\n" % (address, port) for address in addresses) + (
                "HostKey %s\nPidFile none\nUsePAM no\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\n"
                "PubkeyAuthentication yes\nAuthorizedKeysFile %s/%%u\nStrictModes no\nAllowTcpForwarding yes\n"
                "PermitRootLogin no\nX11Forwarding no\nPermitTTY no\nAllowUsers %s\nLogLevel VERBOSE\n"
                "MaxStartups 100\nMaxAuthTries 3\n" % (key, self.keys_dir,
                                                       " ".join(self.users))))
        files = self._user_files()
        script = ("mount -t tmpfs tmpfs /run && mkdir -m 0755 /run/sshd && "
                  "mount --bind %s /etc/passwd && mount --bind %s /etc/shadow && mount --bind %s /etc/group && "
                  "exec %s -D -e -f %s" % (files["passwd"], files["shadow"], files["group"], SSHD, config))
        log = open(os.path.join(self.workdir, "%s_sshd.log" % name), "w", encoding="utf-8")  # pylint: disable=consider-using-with
        process = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],  # pylint: disable=consider-using-with
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((process, log))
        _wait_listening(addresses[0], port, process)
        for address in addresses:
            self.host_keys["[%s]:%d" % (address, port)] = public
        return addresses[0], port, addresses[1:]

    def known_hosts(self, path, extra=()):
        """Write a known_hosts file with the bastions' host keys (and extra lines); returns its path."""
        with open(path, "w", encoding="utf-8") as handle:
            for host, key in self.host_keys.items():
                handle.write("%s %s\n" % (host, key))
            for line in extra:
                handle.write(line + "\n")
        return str(path)

    def forget_host_key(self, address, port):
        """Leave a bastion address out of known_hosts (its host key is then unknown)."""
        self.host_keys.pop("[%s]:%d" % (address, port), None)

    # ---- firewall ----------------------------------------------------------------------------
    def only_from(self, address, port, uid):
        """Reject TCP to address:port from every process but uid's (the bastion user's forwarded connections)."""
        rule = ["OUTPUT", "-d", "%s/32" % address, "-p", "tcp", "--dport", str(port), "-m", "owner", "!", "--uid-owner",
                str(uid), "-m", "comment", "--comment", self.tag, "-j", "REJECT", "--reject-with", "tcp-reset"]
        _run("iptables", "-I", *rule)
        self.rules.append(rule)

    def stop(self):
        """Remove this run's rules, stop the sshd processes, release the addresses."""
        for rule in reversed(self.rules):
            _run("iptables", "-D", *rule, check=False)
        self.rules = []
        for process, log in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            log.close()
        self.processes = []
        self.pool.release()
        shutil.rmtree(self.keys_dir, ignore_errors=True)


def _free_port(address):
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def _wait_listening(address, port, process, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the bastion sshd exited with %s (see its log)" % process.returncode)
        try:
            with socket.create_connection((address, port), timeout=1) as sock:
                if sock.recv(4).startswith(b"SSH-"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the bastion sshd did not listen on %s:%d" % (address, port))


def connect_refused(address, port):
    """True when a plain TCP connection from this process to address:port is refused (the firewall rule works)."""
    try:
        with socket.create_connection((address, port), timeout=3):
            return False
    except OSError:
        return True
