"""Directory walking: recursive, by extension, sorted, hidden directories skipped.

Symlinked directories are followed once (loops are cut by remembering each directory's device and inode);
unreadable directories and files that are not regular files (broken links, FIFOs, sockets) are reported
and the walk goes on.
"""
from __future__ import annotations

import os
import stat
from typing import Iterator, Optional

EXTENSIONS = frozenset({".eml", ".mbox", ".html", ".htm", ".txt", ".json", ".mjml"})
#: Template files a user names on the command line (or a pre-commit hook passes): checked as templates
#: whatever they hold (a Twig e-mail may be tags only); a folder walk keeps to EXTENSIONS, since web pages
#: use the same engines.
TEMPLATE_EXTENSIONS = frozenset({".twig", ".hbs", ".handlebars", ".mustache", ".liquid", ".njk", ".jinja",
                                 ".jinja2", ".j2", ".tpl", ".erb", ".ejs", ".blade", ".php"})


def walk(root: str, extensions=EXTENSIONS, on_skip=None) -> Iterator[tuple[str, Optional[str]]]:
    """Yield (path, None) for each file to read, or (path, error message) for one that cannot be.
    ``on_skip(path, reason)`` hears of each file passed over for its type (the CLI counts them)."""
    seen: set[tuple[int, int]] = set()
    try:
        st = os.stat(root)
        seen.add((st.st_dev, st.st_ino))
    except OSError as exc:
        yield root, f"cannot read directory: {exc.strerror or exc}"
        return
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield directory, f"cannot read directory: {exc.strerror or exc}"
            continue
        subdirs = []
        for entry in entries:
            path = entry.path
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name.startswith("."):
                    continue
                try:
                    dst = entry.stat(follow_symlinks=True)
                except OSError as exc:
                    yield path, f"cannot read directory: {exc.strerror or exc}"
                    continue
                key = (dst.st_dev, dst.st_ino)
                if key in seen:
                    continue  # symlink loop or a directory reached twice
                seen.add(key)
                subdirs.append(path)
                continue
            ext = os.path.splitext(entry.name)[1].lower()
            if ext not in extensions:
                if on_skip is not None:
                    on_skip(path, f"not a type contentlint reads ({ext or 'no extension'})")
                continue
            try:
                fst = entry.stat(follow_symlinks=True)
            except FileNotFoundError:
                yield path, "cannot read: broken symbolic link" if entry.is_symlink() else "cannot read: file vanished"
                continue
            except OSError as exc:
                yield path, f"cannot read: {exc.strerror or exc}"
                continue
            if not stat.S_ISREG(fst.st_mode):
                kind = "a FIFO" if stat.S_ISFIFO(fst.st_mode) else "a socket" if stat.S_ISSOCK(fst.st_mode) \
                    else "a device" if (stat.S_ISCHR(fst.st_mode) or stat.S_ISBLK(fst.st_mode)) else "not a file"
                yield path, f"cannot read: not a regular file ({kind})"
                continue
            yield path, None
        # files of a directory first, then its subdirectories, each in name order
        stack.extend(reversed(subdirs))
