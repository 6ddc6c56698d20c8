"""Platform CLIs: prompts, command grammar, messages and set-up answers.

Each platform answers exactly what netmiko 4.x waits for, because the exact
text decides whether netmiko proceeds at once or sits in a read timeout:

* ``cisco_ios``: ``host>`` / ``host#``; ``terminal width 511`` and
  ``terminal length 0`` print nothing (netmiko waits for the echo, then the
  prompt); ``enable`` asks ``Password:``.  ``show running-config`` is a
  privileged command, so in user mode it is an invalid input, as on IOS.
* ``arista_eos``: same shape; netmiko waits for ``Width set to`` and
  ``Pagination disabled`` after the terminal commands.
* ``juniper_junos``: ``user@host> `` (trailing space); netmiko waits for
  ``Screen width set to``, ``Disabling complete-on-space`` and
  ``Screen length set to``.

Commands accept unique abbreviations (``sh run``), and bad input gets the
platform's real error text (IOS caret and ``% Invalid input detected at
'^' marker.``, EOS ``% Invalid input``, JunOS ``unknown command.``).
"""

from __future__ import annotations

import re
import time
import zlib
from dataclasses import dataclass

ARG = "<word>"
REST = "<rest>"


@dataclass(frozen=True)
class Pattern:
    """One command: its words (keywords, ``ARG``, ``REST`` or ``<lo-hi>``) and action."""

    words: tuple
    action: str
    priv: int = 1


@dataclass
class Reply:
    """What the session must do after a command line."""

    output: str = ""
    close: bool = False
    slow: bool = True
    truncatable: bool = False
    page: bool = True
    secret: bool = False


def _p(text, action, priv=1):
    return Pattern(tuple(text.split()), action, priv)


def _word_matches(word, token, exact):
    if word == ARG:
        return not exact
    if word.startswith("<") and "-" in word:
        low, high = word[1:-1].split("-")
        return not exact and token.isdigit() and int(low) <= int(token) <= int(high)
    return token.lower() == word if exact else word.startswith(token.lower())


def resolve(patterns, tokens):
    """Match tokens against patterns, allowing unique keyword abbreviations.

    Returns ``("ok", pattern)``, ``("invalid", index)``,
    ``("ambiguous", index)`` or ``("incomplete", len(tokens))``.
    """
    cands = list(patterns)
    for i, tok in enumerate(tokens):
        rest = [p for p in cands if p.words and p.words[-1] == REST and i >= len(p.words) - 1]
        live = [p for p in cands if i < len(p.words) and p.words[i] != REST]
        exact = [p for p in live if _word_matches(p.words[i], tok, True)]
        if exact:
            cands = exact
            continue
        prefix = [p for p in live if _word_matches(p.words[i], tok, False)]
        keywords = {p.words[i] for p in prefix if not p.words[i].startswith("<")}
        if len(keywords) > 1:
            return "ambiguous", i
        cands = prefix or rest
        if not cands:
            return "invalid", i
    done = [p for p in cands if len(p.words) == len(tokens) or (p.words[-1] == REST and len(tokens) >= len(p.words) - 1)]
    if not done:
        return "incomplete", len(tokens)
    return "ok", done[0]


def tokenize(line):
    """Split a command line into (tokens, start offsets)."""
    found = list(re.finditer(r"\S+", line))
    return [m.group(0) for m in found], [m.start() for m in found]


def uptime_text(started, style="cisco"):
    """Human uptime since lab start, e.g. ``2 hours, 5 minutes``."""
    minutes = int((time.time() - started) // 60) + 3 * 24 * 60 + 125
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if style == "junos":
        return f"{days} days, {hours}:{mins:02d}"
    return f"{days} days, {hours} hours, {mins} minutes"


class Platform:
    """Behaviour shared by all platforms; subclasses supply texts and grammar."""

    name = ""
    ssh_version = "OpenSSH_8.9"
    more = " --More-- "
    exec_patterns = ()
    pipes = ()

    def prompt(self, s):
        """The prompt for the session state ``s``."""
        raise NotImplementedError

    press_any_key = False

    def motd(self, s):  # pylint: disable=unused-argument
        """Text shown after login, before the first prompt."""
        return ""

    def echo(self, s, line):  # pylint: disable=unused-argument
        """How a typed line is echoed."""
        return line + "\n"

    def error(self, s, kind, line, tokens, starts, index):
        """The error output for bad input."""
        raise NotImplementedError

    def frame(self, s, output):  # pylint: disable=unused-argument
        """The command output as sent before the next prompt."""
        return output

    def pages(self, s, line):  # pylint: disable=unused-argument
        """Whether this command's output is paged (while paging is on)."""
        return True

    # ---- common machinery -------------------------------------------------
    def run(self, s, line):
        """Run one command line in session state ``s``; return a Reply."""
        if s.mode != "exec":
            return self.config_line(s, line)
        base, dummy_bar, pipe = line.partition("|")
        tokens, starts = tokenize(base)
        if not tokens:
            return Reply("", slow=False)
        allowed = [p for p in self.exec_patterns if p.priv <= s.priv]
        status, what = resolve(allowed, tokens)
        if status != "ok":
            if status == "invalid" and resolve(self.exec_patterns, tokens)[0] == "ok":
                status = "privileged"
            return Reply(self.error(s, status, line, tokens, starts, what), slow=False)
        args = [tok for word, tok in zip(what.words, tokens) if word.startswith("<")]
        args += tokens[len(what.words):]
        reply = getattr(self, "do_" + what.action)(s, args)
        if pipe.strip():
            filtered = self.apply_pipe(s, reply.output, pipe, line)
            if filtered is None:
                col = line.index("|") + 1 + (len(pipe) - len(pipe.lstrip()))
                toks, offs = tokenize(line)
                index = next((i for i, off in enumerate(offs) if off >= col), len(toks) - 1)
                return Reply(self.error(s, "invalid", line, toks, offs, index), slow=False)
            reply.output = filtered
            if "no-more" in pipe:
                reply.page = False
        return reply

    def apply_pipe(self, s, output, pipe, line):  # pylint: disable=unused-argument
        """Apply ``| include X`` style filters; None means the pipe is invalid."""
        for part in pipe.split("|"):
            tokens = part.split(None, 1)
            if not tokens:
                return None
            verb = next((v for v in self.pipes if v.startswith(tokens[0].lower())), None)
            arg = tokens[1] if len(tokens) > 1 else ""
            if verb is None:
                return None
            lines = output.split("\n")
            if verb in ("include", "match", "exclude", "except", "begin"):
                try:
                    re.compile(arg)
                except re.error:
                    return None
            if verb in ("include", "match"):
                output = "\n".join(ln for ln in lines if re.search(arg, ln))
            elif verb in ("exclude", "except"):
                output = "\n".join(ln for ln in lines if not re.search(arg, ln))
            elif verb == "begin":
                at = next((i for i, ln in enumerate(lines) if re.search(arg, ln)), len(lines))
                output = "\n".join(lines[at:])
            elif verb == "count":
                output = f"Count: {len([ln for ln in lines if ln])} lines"
            elif verb == "display":
                if arg.strip() != "set":
                    return None
                output = s.config.display_set()
            if output and not output.endswith("\n"):
                output += "\n"
        return output

    def config_line(self, s, line):
        """A line typed in configuration mode (IOS/EOS style: applied to the config)."""
        stripped = line.strip()
        if not stripped or stripped.startswith("!"):
            return Reply("", slow=False)
        if stripped in ("\x1a", "end"):
            s.mode = "exec"
            return Reply("")
        if stripped == "exit":
            s.mode = "exec" if s.mode == "config" else "config"
            return Reply("")
        if stripped.startswith("do "):
            mode, s.mode = s.mode, "exec"
            try:
                return self.run(s, stripped[3:])
            finally:
                s.mode = mode
        # Sub-modes: lines after "interface X" are stored indented, as IOS shows them.
        sub = {"interface": "config-if", "router": "config-router", "line": "config-line"}.get(stripped.split()[0])
        if sub:
            s.mode = sub
            s.config.apply_cli(stripped)
        else:
            s.config.apply_cli((" " + stripped) if s.mode != "config" else stripped)
        return Reply("")

    def password_entered(self, s, secret):
        """Handle the enable password typed after ``Password:``."""
        if s.device.enable_secret is not None and secret == s.device.enable_secret:
            s.priv, s.pending = 15, None
            return Reply("")
        s.pending_tries += 1
        if s.pending_tries >= 3:
            s.pending = None
            return Reply("% Bad secrets\n")
        return Reply("Password: ", secret=True)

    # ---- actions shared by IOS/EOS ----------------------------------------
    def do_enable(self, s, args):  # pylint: disable=unused-argument
        """``enable``: ask for the secret (IOS refuses without one)."""
        if s.priv >= 15:
            return Reply("", slow=False)
        if s.device.enable_secret is None:
            return Reply("% No password set\n", slow=False)
        s.pending, s.pending_tries = "enable", 0
        return Reply("Password: ", slow=False, secret=True)

    def do_disable(self, s, args):  # pylint: disable=unused-argument
        """``disable``: back to user mode."""
        s.priv = 1
        return Reply("", slow=False)

    def do_exit(self, s, args):  # pylint: disable=unused-argument
        """``exit``/``logout``: end the session."""
        return Reply("", close=True, slow=False)

    def do_nothing(self, s, args):  # pylint: disable=unused-argument
        """Accepted and silent (``terminal monitor`` etc.)."""
        return Reply("", slow=False)

    def do_term_length(self, s, args):
        """``terminal length N``."""
        s.length = int(args[0])
        return Reply("", slow=False)

    def do_term_width(self, s, args):
        """``terminal width N``."""
        s.width = int(args[0])
        return Reply("", slow=False)

    def do_show_run(self, s, args):  # pylint: disable=unused-argument
        """``show running-config``."""
        return Reply(s.config.running(), truncatable=True)

    def do_show_start(self, s, args):  # pylint: disable=unused-argument
        """``show startup-config`` (the stable configuration)."""
        return Reply(s.config.stable() + "\nend\n")

    def do_config(self, s, args):  # pylint: disable=unused-argument
        """``configure terminal``."""
        s.mode = "config"
        return Reply("Enter configuration commands, one per line.  End with CNTL/Z.\n", slow=False)

    def do_write(self, s, args):  # pylint: disable=unused-argument
        """``write memory``."""
        return Reply("Building configuration...\n[OK]\n")

    def do_show_priv(self, s, args):  # pylint: disable=unused-argument
        """``show privilege``."""
        return Reply(f"Current privilege level is {s.priv}\n")

    def do_show_clock(self, s, args):  # pylint: disable=unused-argument
        """``show clock``."""
        now = time.time()
        tm = time.gmtime(now)
        return Reply(time.strftime(f"*%H:%M:%S.{int(now * 1000) % 1000:03d} UTC %a %b ", tm) + f"{tm.tm_mday} {tm.tm_year}\n")


_IOS_EXEC = (
    _p("enable", "enable"), _p("disable", "disable"),
    _p("exit", "exit"), _p("logout", "exit"), _p("quit", "exit"),
    _p("terminal length <0-512>", "term_length"), _p("terminal width <0-512>", "term_width"),
    _p("terminal monitor", "nothing"), _p("terminal no monitor", "nothing"),
    _p("show version", "show_version"), _p("show clock", "show_clock"),
    _p("show privilege", "show_priv"), _p("show ip interface brief", "show_ip_brief"),
    # Levels 2-14 see the part of the configuration their level may change; "view full" shows it all.
    _p("show running-config", "show_run", 2), _p("show running-config view full", "show_run_full", 2),
    _p("show startup-config", "show_start", 15),
    _p("configure terminal", "config", 15), _p("write memory", "write", 15),
)


class CiscoIOS(Platform):
    """Cisco IOS (IOSv 15.2 look)."""

    name = "cisco_ios"
    ssh_version = "Cisco-1.25"
    exec_patterns = _IOS_EXEC
    pipes = ("include", "exclude", "begin", "count")

    def prompt(self, s):
        if s.mode != "exec":
            return f"{s.host}({s.mode})#"
        return f"{s.host}{'#' if s.priv > 1 else '>'}"

    def error(self, s, kind, line, tokens, starts, index):
        if kind == "ambiguous":
            return f'% Ambiguous command:  "{line.strip()}"\n'
        if kind == "incomplete":
            return "% Incomplete command.\n\n"
        if index == 0 and len(tokens) == 1 and kind == "invalid":
            return (f'Translating "{tokens[0]}"\n'
                    "% Unknown command or computer name, or unable to find computer address\n")
        col = len(self.prompt(s)) + starts[index]
        return " " * col + "^\n% Invalid input detected at '^' marker.\n\n"

    def do_show_run(self, s, args):
        """``show running-config``: below level 15, only the interface stanzas' first lines (still ending in ``end``)."""
        text = s.config.running()
        if s.priv < 15:
            text = "".join(line for line in text.splitlines(True)
                           if line.startswith(("Building", "Current configuration", "!", "interface ", "end")))
        return Reply(text, truncatable=True)

    def do_show_run_full(self, s, args):  # pylint: disable=unused-argument
        """``show running-config view full``: the whole configuration at any level."""
        return Reply(s.config.running(), truncatable=True)

    def do_show_version(self, s, args):  # pylint: disable=unused-argument
        """``show version``."""
        return Reply(
            "Cisco IOS Software, IOSv Software (VIOS-ADVENTERPRISEK9-M), Version 15.2(4)M11, RELEASE SOFTWARE (fc2)\n"
            "Technical Support: http://www.cisco.com/techsupport\nCopyright (c) 1986-2021 by Cisco Systems, Inc.\n"
            "Compiled Fri 12-Nov-21 03:25 by prod_rel_team\n\nROM: Bootstrap program is IOSv\n\n"
            f"{s.host} uptime is {uptime_text(s.started)}\nSystem returned to ROM by reload\n"
            'System image file is "flash0:/vios-adventerprisek9-m"\nLast reload reason: Unknown reason\n\n'
            "Cisco IOSv (revision 1.0) with  with 460137K/62464K bytes of memory.\n"
            f"Processor board ID 9{zlib.crc32(s.host.encode()) % 10 ** 10:010d}\n3 Gigabit Ethernet interfaces\n"
            "256K bytes of non-volatile configuration memory.\n\nConfiguration register is 0x0\n\n"
        )

    def do_show_ip_brief(self, s, args):  # pylint: disable=unused-argument
        """``show ip interface brief``."""
        rows = ["Interface                  IP-Address      OK? Method Status                Protocol"]
        for i in range(3):
            rows.append(f"GigabitEthernet0/{i:<10d}unassigned      YES NVRAM  up                    up")
        return Reply("\n".join(rows) + "\n")


_EOS_EXEC = _IOS_EXEC + (_p("configure", "config", 15), _p("copy running-config startup-config", "write", 15))


class AristaEOS(CiscoIOS):
    """Arista EOS (vEOS 4.30 look)."""

    name = "arista_eos"
    ssh_version = "OpenSSH_8.7"
    exec_patterns = _EOS_EXEC

    def error(self, s, kind, line, tokens, starts, index):
        if kind == "ambiguous":
            return "% Ambiguous command\n"
        if kind == "incomplete":
            return "% Incomplete command\n"
        if kind == "privileged":
            return "% Invalid input (privileged mode required)\n"
        return f"% Invalid input (at token {index}: '{tokens[index]}')\n"

    def password_entered(self, s, secret):
        if s.device.enable_secret is not None and secret == s.device.enable_secret:
            s.priv, s.pending = 15, None
            return Reply("")
        s.pending = None
        return Reply("% Access denied\n")

    def do_enable(self, s, args):
        if s.device.enable_secret is None:
            s.priv = 15
            return Reply("", slow=False)
        return super().do_enable(s, args)

    def do_term_length(self, s, args):
        s.length = int(args[0])
        text = "Pagination disabled." if s.length == 0 else f"Pagination set to {s.length} lines."
        return Reply(text + "\n", slow=False)

    def do_term_width(self, s, args):
        s.width = int(args[0])
        return Reply(f"Width set to {s.width} columns.\n", slow=False)

    def do_show_version(self, s, args):
        crc = zlib.crc32(s.host.encode())
        mac = f"5254.00{crc % 256:02x}.{crc % 65536:04x}"
        return Reply(
            f"Arista vEOS-lab\nHardware version:\nSerial number: SN-{s.host.upper()}\n"
            f"Hardware MAC address: {mac}\nSystem MAC address: {mac}\n\nSoftware image version: 4.30.1F\n"
            "Architecture: x86_64\nInternal build version: 4.30.1F-32308478.4301F\n\n"
            f"Uptime: {uptime_text(s.started)}\nTotal memory: 4002576 kB\nFree memory: 2584668 kB\n\n"
        )


_JUNOS_EXEC = (
    _p("show configuration", "show_run"), _p("show version", "show_version"),
    _p("show system uptime", "show_uptime"),
    _p("set cli screen-length <0-100000>", "screen_length"), _p("set cli screen-width <0-1024>", "screen_width"),
    _p("set cli complete-on-space <word>", "complete_on_space"),
    _p("exit", "exit"), _p("quit", "exit"),
    _p("configure", "config"), _p("configure private", "config"), _p("configure exclusive", "config"),
)


class JuniperJunOS(Platform):
    """Juniper JunOS (vMX 20.4 look): operational mode plus a minimal configuration mode."""

    name = "juniper_junos"
    ssh_version = "OpenSSH_7.5"
    more = "---(more)---"
    exec_patterns = _JUNOS_EXEC
    pipes = ("display", "no-more", "match", "except", "count")

    def prompt(self, s):
        return f"{s.username}@{s.host}{'#' if s.mode != 'exec' else '>'} "

    def frame(self, s, output):
        # Operational-mode output is followed by a blank line before the prompt.
        if output and s.mode == "exec" and not output.endswith("\n\n"):
            return output + "\n"
        return output

    def motd(self, s):
        return "--- JUNOS 20.4R3.8 Kernel 64-bit  JNPR-11.0-20210618.f43645e_buil\n"

    def error(self, s, kind, line, tokens, starts, index):
        col = len(self.prompt(s)) + (starts[index] if index < len(starts) else len(line.rstrip()) + 1)
        caret = " " * col + "^\n"
        if kind == "ambiguous":
            return f"{caret}'{tokens[index]}' is ambiguous.\n"
        if kind == "invalid" and index == 0:
            return f"{caret}unknown command.\n"
        return f"{caret}syntax error, expecting <command>.\n"

    def do_show_version(self, s, args):  # pylint: disable=unused-argument
        """``show version``."""
        return Reply(f"Hostname: {s.host}\nModel: vmx\nJunos: 20.4R3.8\n"
                     "JUNOS OS Kernel 64-bit  [20210618.f43645e_builder_stable_11-204ab]\n"
                     "JUNOS OS runtime [20210618.f43645e_builder_stable_11-204ab]\n")

    def do_show_uptime(self, s, args):  # pylint: disable=unused-argument
        """``show system uptime``."""
        return Reply(f"Current time: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}\n"
                     f"System booted: {uptime_text(s.started, 'junos')} ago\n")

    def do_screen_length(self, s, args):
        """``set cli screen-length N``."""
        s.length = int(args[0])
        return Reply(f"Screen length set to {s.length}\n", slow=False)

    def do_screen_width(self, s, args):
        """``set cli screen-width N``."""
        s.width = int(args[0])
        return Reply(f"Screen width set to {s.width}\n", slow=False)

    def do_complete_on_space(self, s, args):  # pylint: disable=unused-argument
        """``set cli complete-on-space on|off``."""
        return Reply("Disabling complete-on-space\n" if args[0] == "off" else "Enabling complete-on-space\n", slow=False)

    def do_config(self, s, args):  # pylint: disable=unused-argument
        """``configure``: enter configuration mode (changes are accepted, not applied)."""
        s.mode = "config"
        return Reply("Entering configuration mode\n\n[edit]\n", slow=False)

    def config_line(self, s, line):
        words = line.split()
        if not words:
            return Reply("\n[edit]\n", slow=False)
        if words[0] in ("exit", "quit") or words[:2] == ["exit", "configuration-mode"]:
            s.mode = "exec"
            return Reply("Exiting configuration mode\n\n", slow=False)
        if words[0] == "run":
            mode, s.mode = s.mode, "exec"
            try:
                return self.run(s, " ".join(words[1:]))
            finally:
                s.mode = mode
        if words[0] == "commit":
            text = "commit complete\n"
            if "and-quit" in words:
                s.mode = "exec"
                return Reply(text + "Exiting configuration mode\n\n")
            return Reply(text + "\n[edit]\n")
        return Reply("\n[edit]\n", slow=False)


PLATFORMS = {cls.name: cls() for cls in (CiscoIOS, AristaEOS, JuniperJunOS)}


def _register_vendors():
    from .vendors import VENDOR_PLATFORMS  # pylint: disable=import-outside-toplevel
    PLATFORMS.update({cls.name: cls() for cls in VENDOR_PLATFORMS})


_register_vendors()
