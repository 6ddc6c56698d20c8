"""More platform CLIs, each answering what netmiko 4.x's driver sends for it.

The three classic platforms (IOS, EOS, JunOS) keep their full grammar in
:mod:`devicelab.platforms`.  The platforms here are table-driven: a prompt
per state, the exact lines netmiko's ``session_preparation`` sends (with the
reply text it waits for), the pager and the command that turns it off,
enable where the platform has it, and the configuration command(s).  A
command the table does not know gets the platform's own error text, so a
backup that sends the wrong command fails as it would on the real device.

What each driver sends (netmiko 4.x ``session_preparation``):

* ``cisco_nxos``: ``terminal width 511``, ``terminal length 0``.
* ``cisco_xr``: ``terminal width 511``, ``terminal length 0``; every
  command's output starts with a timestamp line, as on IOS-XR.
* ``cisco_asa``: ``show curpriv``, ``enable``, ``terminal pager 0``, then
  ``configure terminal`` / ``terminal width 511`` / ``end``.  ``show
  running-config`` prints ``*****`` for keys; ``more system:running-config``
  prints them.
* ``fortinet``: ``get system status | grep Virtual``, ``... | grep Version``,
  ``config global`` (VDOM devices) / ``get system console`` / ``end``, then
  ``config system console`` / ``set output standard`` / ``end`` (recorded as
  a change of the device; ``show`` then prints that console setting).
  ``show | grep .`` pages nothing.
* ``paloalto_panos``: ``set cli scripting-mode on``, ``set cli terminal
  width 500``, ``set cli pager off``, ``show system info``.
* ``mikrotik_routeros``: the login name carries ``+ct511w4098h`` (the
  server strips it); no commands.  ``/export`` leaves secrets out, as
  RouterOS 7 does; ``/export show-sensitive`` keeps them.
* ``huawei``/``huawei_vrp``: ``screen-length 0 temporary``.
* ``hp_procurve``: "Press any key to continue" before the first prompt;
  ``enable``, ``terminal width 511``, ``no page``.
* ``aruba_aoscx``: ``no page``.  ``hp_comware``: ``screen-length disable``.
* ``dell_os10``: ``terminal length 0``.  ``dell_force10``: ``terminal
  length 0`` (and enable).
* ``extreme_exos``: ``disable clipaging``, ``disable cli prompting``; the
  prompt carries a command counter (``host.3 # ``).
* ``ubiquiti_edgeswitch``: ``enable``, ``terminal length 0``.
"""

from __future__ import annotations

import re
import time

from .platforms import CiscoIOS, JuniperJunOS, Platform, Reply, uptime_text


def _norm(line):
    return " ".join(line.split())


class TablePlatform(Platform):
    """A platform described by tables rather than a grammar."""

    family = ""
    user_prompt = "{host}>"
    priv_prompt = "{host}#"
    config_prompt = "{host}(config)#"
    has_enable = False
    config_enter = ()
    config_exit = ("end", "exit", "quit", "return", "\x1a")
    config_ignore = ()
    pager_off = ()
    show_config = ()
    silent = ()
    texts: dict = {}
    error_text = "% Invalid input detected at '^' marker.\n"
    config_banner = ""

    def _fmt(self, fmt, s):
        return fmt.format(host=s.host, user=s.username, n=getattr(s, "counter", 1))

    def prompt(self, s):
        if s.mode != "exec":
            return self._fmt(self.config_prompt, s)
        if self.has_enable and s.priv < 15:
            return self._fmt(self.user_prompt, s)
        return self._fmt(self.priv_prompt, s)

    def error(self, s, kind, line, tokens, starts, index):
        return self.error_text

    def bad(self, cmd):
        """The platform's answer to a command it does not know."""
        return Reply(self.error_text.replace("{}", cmd.split()[0] if cmd else ""), slow=False)

    def run(self, s, line):
        if s.mode != "exec":
            return self.config_line(s, line)
        cmd = _norm(line)
        if not cmd:
            return Reply("", slow=False)
        s.counter = getattr(s, "counter", 1) + 1
        if cmd in ("exit", "quit", "logout"):
            return Reply("", close=True, slow=False)
        if self.has_enable and cmd in ("enable", "en"):
            return self.do_enable(s, [])
        if self.has_enable and s.priv < 15 and (cmd in self.show_config or cmd in self.config_enter):
            return self.bad(cmd)
        if cmd in self.pager_off:
            s.length = 0
            return Reply(self.texts.get(cmd, ""), slow=False)
        if cmd in self.silent:
            return Reply("", slow=False)
        if cmd in self.show_config:
            return Reply(self.stamp(s) + self.shown(s, cmd, s.config.running()), truncatable=True,
                         page=self.pages(s, cmd))
        if cmd in self.config_enter:
            s.mode = "config"
            return Reply(self.config_banner, slow=False)
        if cmd in self.texts:
            text = self.texts[cmd]
            return Reply(text(self, s) if callable(text) else text, slow=False)
        return self.bad(cmd)

    def stamp(self, s):  # pylint: disable=unused-argument
        """Text some platforms print before every command's output."""
        return ""

    def shown(self, s, cmd, text):  # pylint: disable=unused-argument
        """The configuration as ``cmd`` shows it (some commands hide secrets)."""
        return text

    def config_line(self, s, line):
        cmd = _norm(line)
        if not cmd:
            return Reply("", slow=False)
        if cmd in self.config_exit:
            s.mode = "exec"
            return Reply("", slow=False)
        if cmd in self.config_ignore:
            return Reply("", slow=False)
        s.config.apply_cli(line.rstrip())
        return Reply("", slow=False)


class CiscoXE(CiscoIOS):
    """Cisco IOS-XE: the IOS CLI (netmiko's ``cisco_xe`` is the IOS driver)."""

    name = "cisco_xe"


class Juniper(JuniperJunOS):
    """``juniper``: netmiko's other name for the JunOS driver."""

    name = "juniper"


def _nxos_version(self, s):  # pylint: disable=unused-argument
    return (f"Cisco Nexus Operating System (NX-OS) Software\nNXOS: version 9.3(8)\n\n"
            f"Kernel uptime is {uptime_text(s.started)}\n")


class CiscoNXOS(TablePlatform):
    """Cisco NX-OS (Nexus 9000v 9.3 look); the login lands at ``host#``."""

    name, family, ssh_version = "cisco_nxos", "cisco_nxos", "OpenSSH_8.3"
    pager_off = ("terminal length 0",)
    silent = ("terminal width 511",)
    show_config = ("show running-config", "show run")
    config_enter = ("configure terminal", "conf t")
    config_banner = "Enter configuration commands, one per line. End with CNTL/Z.\n"
    texts = {"show version": _nxos_version}
    error_text = "                      ^\n% Invalid command at '^' marker.\n"


class CiscoXR(TablePlatform):
    """Cisco IOS-XR (XRv9k 7.3 look): ``RP/0/RP0/CPU0:host#`` and a timestamp before output."""

    name, family, ssh_version = "cisco_xr", "cisco_xr", "Cisco-2.0"
    priv_prompt = "RP/0/RP0/CPU0:{host}#"
    config_prompt = "RP/0/RP0/CPU0:{host}(config)#"
    pager_off = ("terminal length 0",)
    silent = ("terminal width 511",)
    show_config = ("show running-config", "show run")
    config_enter = ("configure terminal", "configure")
    config_exit = ("end", "exit", "abort")
    error_text = "                      ^\n% Invalid input detected at '^' marker.\n"

    def stamp(self, s):
        now = time.time()
        return time.strftime(f"%a %b %e %H:%M:%S.{int(now * 1000) % 1000:03d} UTC\n", time.gmtime(now))


class CiscoASA(TablePlatform):
    """Cisco ASA (ASAv 9.16 look): ``host>``, enable, ``terminal pager 0``."""

    name, family, ssh_version = "cisco_asa", "cisco_asa", "Cisco-1.25"
    has_enable = True
    pager_off = ("terminal pager 0",)
    more = "<--- More --->"
    show_config = ("show running-config", "more system:running-config")
    config_enter = ("configure terminal", "conf t")
    config_ignore = ("terminal width 511",)
    error_text = "                ^\nERROR: % Invalid input detected at '^' marker.\n"
    texts = {"login": "", "show curpriv": lambda self, s: (
        f"Username : {'enable_15' if s.priv >= 15 else s.username}\n"
        f"Current privilege level : {s.priv}\nCurrent Mode/s : {'P_PRIV' if s.priv >= 15 else 'P_UNPR'}\n")}
    _HIDDEN = re.compile(r"^(\s*(?:key|failover key|ldap-login-password|(?:ikev[12] )?(?:\S+-authentication )?"
                         r"pre-shared-key)) \S+", re.M)

    def shown(self, s, cmd, text):
        """``show running-config`` prints ``*****`` for keys and pre-shared keys, as the ASA does."""
        return self._HIDDEN.sub(r"\1 *****", text) if cmd == "show running-config" else text


class FortiOS(TablePlatform):
    """FortiGate (FortiOS 7.2, VDOMs enabled): ``host # ``, ``config global``, console output mode."""

    name, family, ssh_version = "fortinet", "fortinet", "FortiSSH"
    priv_prompt = "{host} # "
    more = "--More-- "
    show_config = ("show", "show full-configuration", "show | grep .", "show full-configuration | grep .")
    error_text = "Unknown action 0\nCommand fail. Return code -1\n"
    texts = {
        "get system status | grep Virtual": "Virtual domain configuration: multiple\n",
        "get system status | grep Version": "Version: FortiGate-VM64 v7.2.5,build1517,230606 (GA.F)\n",
    }

    def prompt(self, s):
        stack = getattr(s, "forti", [])
        return f"{s.host} ({stack[-1]}) # " if stack else f"{s.host} # "

    def pages(self, s, line):
        """Output piped through ``grep`` is not paged."""
        return "| grep" not in line

    def shown(self, s, cmd, text):
        """A console output mode set in this session is part of the configuration ``show`` prints."""
        if getattr(s, "console", None) != "standard":
            return text
        block = "config system console\n    set output standard\nend\n"
        lines = text.splitlines(True)
        at = next((i for i, line in enumerate(lines) if line.startswith("config system global")), None)
        if at is not None:
            at = next((i for i in range(at, len(lines)) if lines[i].strip() == "end"), at)
            return "".join(lines[:at + 1]) + block + "".join(lines[at + 1:])
        return block + text

    def run(self, s, line):
        cmd = _norm(line)
        stack = s.__dict__.setdefault("forti", [])
        if not cmd:
            return Reply("", slow=False)
        if cmd == "end" and stack:
            stack.clear()
            return Reply("", slow=False)
        if cmd == "next":
            return Reply("", slow=False)
        if cmd.startswith("config "):
            where = cmd.split()[-1]
            if cmd == "config system console" or not stack or stack == ["global"]:
                stack.append(where)
                return Reply("", slow=False)
        if stack and stack[-1] == "console" and cmd.startswith("set output "):
            s.console = cmd.split()[-1]
            s.runtime.changes.append(cmd)
            s.length = 0 if s.console == "standard" else 24
            return Reply("", slow=False)
        if cmd in ("get system console", "show full-configuration system console"):
            if stack != ["global"]:
                return Reply("Command fail. Return code -61\n", slow=False)
            mode = getattr(s, "console", "more")
            return Reply(f"mode                : line\nbaudrate            : 9600\noutput              : {mode}\n"
                         "login               : enable\nfortiexplorer       : enable\n", slow=False)
        if cmd in self.show_config or cmd in self.texts:
            return TablePlatform.run(self, s, line)
        if cmd == "get system status":
            return Reply(f"Version: FortiGate-VM64 v7.2.5,build1517,230606 (GA.F)\nHostname: {s.host}\n"
                         "Virtual domain configuration: multiple\n"
                         f"System time: {time.strftime('%a %b %d %H:%M:%S %Y', time.gmtime())}\n")
        if cmd in ("exit", "quit"):
            return Reply("", close=True, slow=False)
        return self.bad(cmd)


class PaloAltoPANOS(TablePlatform):
    """PAN-OS (PA-VM 10.2): ``user@host> ``; the line is redrawn with the prompt on echo."""

    name, family, ssh_version = "paloalto_panos", "paloalto_panos", "OpenSSH_7.4"
    priv_prompt = "{user}@{host}> "
    config_prompt = "{user}@{host}# "
    more = "lines 1-24 "
    pager_off = ("set cli pager off",)
    silent = ("set cli scripting-mode on", "set cli terminal width 500")
    show_config = ("show config running", "show config running | no-more")
    config_enter = ("configure",)
    config_banner = "Entering configuration mode\n[edit]\n"
    error_text = "Unknown command: {}\n"
    texts = {"show system info": lambda self, s: (
        f"hostname: {s.host}\nip-address: 192.0.2.10\nmodel: PA-VM\nsw-version: 10.2.4\n"
        f"uptime: {uptime_text(s.started)}\noperational-mode: normal\n")}

    def echo(self, s, line):
        """PAN-OS redraws the whole line (prompt and command) when it is entered."""
        return "\r" + self.prompt(s) + line + "\n"


class MikroTik(TablePlatform):
    """MikroTik RouterOS 7: ``[user@host] > ``; netmiko's login suffix is stripped by the server."""

    name, family, ssh_version = "mikrotik_routeros", "mikrotik_routeros", "ROSSSH"
    priv_prompt = "[{user}@{host}] > "
    more = "-- [Q quit|D dump|down]"
    show_config = ("/export", "/export terse", "/export show-sensitive", "/export verbose")
    error_text = "bad command name export (line 1 column 2)\n"
    texts = {"/system identity print": lambda self, s: f"  name: {s.host}\n"}
    _SENSITIVE = re.compile(r" (?!public-key=)(?:[\w-]*-)?(?:password|secret|passphrase|key|trap-community)="
                            r"(?:\"[^\"]*\"|\S+)")

    def shown(self, s, cmd, text):
        """RouterOS 7 leaves sensitive properties out of ``/export`` unless asked with ``show-sensitive``."""
        return text if "show-sensitive" in cmd else self._SENSITIVE.sub("", text)


class HuaweiVRP(TablePlatform):
    """Huawei VRP (V200R010): ``<host>``, ``system-view`` gives ``[host]``."""

    name, family, ssh_version = "huawei", "huawei", "HUAWEI-1.5"
    priv_prompt = "<{host}>"
    config_prompt = "[{host}]"
    more = "  ---- More ----"
    pager_off = ("screen-length 0 temporary",)
    texts = {"screen-length 0 temporary": "Info: The configuration takes effect on the current user terminal interface only.\n"}
    show_config = ("display current-configuration", "display current-configuration all")
    config_enter = ("system-view",)
    config_banner = "Enter system view, return user view with Ctrl+Z.\n"
    error_text = "                ^\nError: Unrecognized command found at '^' position.\n"


class HuaweiVRPAlias(HuaweiVRP):
    """``huawei_vrp``: netmiko's other name for the Huawei driver."""

    name = "huawei_vrp"


class HPProCurve(TablePlatform):
    """HPE ProCurve / ArubaOS-Switch (WB.16.10): "Press any key to continue", then ``host#``."""

    name, family, ssh_version = "hp_procurve", "hp_procurve", "OpenSSH_6.2"
    has_enable = True
    more = "-- MORE --, next page: Space, next line: Enter, quit: Control-C"
    pager_off = ("no page",)
    silent = ("terminal width 511",)
    show_config = ("show running-config", "show config")
    config_enter = ("configure terminal", "configure")
    error_text = "Invalid input: {}\n"
    press_any_key = True

    def motd(self, s):
        return ("HP J9729A 2920-48G-POE+ Switch\nSoftware revision WB.16.10.0012\n\n"
                "(C) Copyright 2020 Hewlett Packard Enterprise Development LP\n\n"
                "                   RESTRICTED RIGHTS LEGEND\n\nPress any key to continue\n")


class ArubaAOSCX(TablePlatform):
    """ArubaOS-CX (10.10): ``host# ``, ``no page``."""

    name, family, ssh_version = "aruba_aoscx", "aruba_aoscx", "OpenSSH_8.0"
    priv_prompt = "{host}# "
    config_prompt = "{host}(config)# "
    more = "-- MORE --, next page: Space, next line: Enter, quit: Control-C"
    pager_off = ("no page",)
    show_config = ("show running-config",)
    config_enter = ("configure terminal", "config")
    error_text = "Invalid input: {}\n"


class HPComware(TablePlatform):
    """HPE Comware 7: ``<host>``, ``screen-length disable``."""

    name, family, ssh_version = "hp_comware", "hp_comware", "Comware-7.1.064"
    priv_prompt = "<{host}>"
    config_prompt = "[{host}]"
    more = "  ---- More ----"
    pager_off = ("screen-length disable",)
    show_config = ("display current-configuration",)
    config_enter = ("system-view",)
    config_banner = "System View: return to User View with Ctrl+Z.\n"
    error_text = "                ^\n % Unrecognized command found at '^' position.\n"


class DellOS10(TablePlatform):
    """Dell EMC OS10 (10.5): ``host# ``, ``terminal length 0``."""

    name, family, ssh_version = "dell_os10", "dell_os10", "OpenSSH_7.4p1 Debian-10+deb9u7"
    priv_prompt = "{host}# "
    config_prompt = "{host}(config)# "
    pager_off = ("terminal length 0",)
    silent = ("terminal width 511",)
    show_config = ("show running-configuration",)
    config_enter = ("configure terminal",)
    error_text = "% Error: Unrecognized command.\n"


class DellForce10(TablePlatform):
    """Dell FTOS 9 (S4048): IOS-like, enable, ``terminal length 0``."""

    name, family, ssh_version = "dell_force10", "dell_force10", "OpenSSH_5.2 FIPS"
    has_enable = True
    pager_off = ("terminal length 0",)
    silent = ("terminal width 511",)
    show_config = ("show running-config",)
    config_enter = ("configure terminal", "configure")
    error_text = "                ^\n% Error: Invalid input at \"^\" marker.\n"


class ExtremeEXOS(TablePlatform):
    """Extreme EXOS (30.7): ``host.N # `` with a command counter."""

    name, family, ssh_version = "extreme_exos", "extreme_exos", "OpenSSH_7.5"
    priv_prompt = "{host}.{n} # "
    config_prompt = "{host}.{n} # "
    more = "Press <SPACE> to continue or <Q> to quit:"
    pager_off = ("disable clipaging",)
    silent = ("disable cli prompting", "enable cli prompting")
    show_config = ("show configuration",)
    error_text = "\n%% Invalid input detected at '^' marker.\n"


class UbiquitiEdgeSwitch(TablePlatform):
    """Ubiquiti EdgeSwitch (1.9): ``(host) >`` / ``(host) #`` after enable."""

    name, family, ssh_version = "ubiquiti_edgeswitch", "ubiquiti_edgeswitch", "OpenSSH_6.6"
    has_enable = True
    user_prompt = "({host}) >"
    priv_prompt = "({host}) #"
    config_prompt = "({host}) (Config)#"
    more = "--More-- or (q)uit"
    pager_off = ("terminal length 0",)
    silent = ("terminal width 511",)
    show_config = ("show running-config",)
    config_enter = ("configure",)
    error_text = "                         ^\n% Invalid input detected at '^' marker.\n"


VENDOR_PLATFORMS = (CiscoXE, Juniper, CiscoNXOS, CiscoXR, CiscoASA, FortiOS, PaloAltoPANOS, MikroTik,
                    HuaweiVRP, HuaweiVRPAlias, HPProCurve, ArubaAOSCX, HPComware, DellOS10, DellForce10,
                    ExtremeEXOS, UbiquitiEdgeSwitch)
