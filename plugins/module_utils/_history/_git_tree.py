# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files of the git export's working tree, read and written without ever leaving the tree.

A path inside the tree is joined from names the database holds, and the tree itself may hold
whatever was committed or planted there: a symbolic link named like a device's file or a tag's
folder, pointing anywhere (``par -> /etc``), or a hard link to a file elsewhere. So a path is
never handed to ``open()`` whole:

- each component must be one safe name (_manage._names: no '/', no '..', no leading '.');
- the tree is walked one directory at a time from a descriptor of its root, each directory
  opened with ``O_NOFOLLOW``, so a symbolic link on the way is refused (``ELOOP``/``ENOTDIR``);
- a file is written as a new file in its directory, then renamed over the name: a link at
  the name is replaced by the new file, never written through;
- a read opens the file with ``O_NOFOLLOW`` too, so a link's target is never read.
"""

from __future__ import annotations

import errno
import os
from typing import List, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._manage._names import unsafe_path_reason

_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class UnsafePath(Exception):
    """One line saying why a path in the tree was not written (a link, an unsafe name, a directory in the way)."""


def _components(rel: str) -> List[str]:
    """The names of a relative path, each checked; UnsafePath for any that is not one safe name."""
    parts = rel.split("/")
    for part in parts:
        reason = unsafe_path_reason(part)
        if reason:
            raise UnsafePath("%r is not a safe path in the tree: %r, %s" % (rel, part, reason))
    return parts


def _open_folder(root_fd: int, folders: List[str], create: bool) -> int:
    """A descriptor of root/folders..., walked without following a link; the caller closes it."""
    fd = os.dup(root_fd)
    walked = []
    try:
        for folder in folders:
            walked.append(folder)
            if create:
                try:
                    os.mkdir(folder, 0o777, dir_fd=fd)
                except FileExistsError:
                    pass
            try:
                inner = os.open(folder, _DIRECTORY_FLAGS, dir_fd=fd)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafePath("%r in the git tree is a symbolic link or not a directory: nothing is written "
                                     "through it" % "/".join(walked)) from None
                raise
            os.close(fd)
            fd = inner
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_in_tree(git_dir: str, rel: str) -> Optional[str]:
    """The text of a regular file of the tree; None when it is missing, a link, or not a safe path."""
    try:
        parts = _components(rel)
        root = os.open(git_dir, _DIRECTORY_FLAGS & ~os.O_NOFOLLOW)
    except (UnsafePath, OSError):
        return None
    try:
        folder = _open_folder(root, parts[:-1], create=False)
        try:
            fd = os.open(parts[-1], _READ_FLAGS, dir_fd=folder)
        finally:
            os.close(folder)
        with open(fd, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (UnsafePath, OSError, UnicodeError):
        return None
    finally:
        os.close(root)


def write_in_tree(git_dir: str, rel: str, text: str) -> None:
    """Write text at rel inside git_dir (its folders created), replacing whatever link or file is at the name.

    git_dir itself is the user's choice and may be reached through a link; below it nothing is
    followed. Raises UnsafePath, with nothing written, when the path cannot be written safely.
    """
    parts = _components(rel)
    root = os.open(git_dir, _DIRECTORY_FLAGS & ~os.O_NOFOLLOW)
    try:
        folder = _open_folder(root, parts[:-1], create=True)
    finally:
        os.close(root)
    name = parts[-1]
    temporary = ".%s.netraven-%d.tmp" % (name, os.getpid())
    try:
        fd = os.open(temporary, _NEW_FILE_FLAGS, 0o666, dir_fd=folder)
        try:
            with open(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            try:
                os.unlink(temporary, dir_fd=folder)
            except OSError:
                pass
            raise
    except IsADirectoryError:
        raise UnsafePath("%r in the git tree is a directory: nothing written" % rel) from None
    finally:
        os.close(folder)
