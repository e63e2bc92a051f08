"""The partials and layouts a template includes, found as files (never by running template code).

``{{> footer}}``, ``{% include "partials/footer.html" %}``, ``render "shared/footer"``, ``@include('emails.footer')``:
a template's unsubscribe link often lives in such a piece.  ``PartialFinder`` looks the static name up

* in the template roots (``--template-root``, ``template-root:`` in the configuration, ``Linter(template_roots=…)``),
  as Jinja's search path or a Handlebars partials folder would;
* then next to the file that includes it: its folder and up to three parents (only those inside a root when
  roots are given);

each with the usual partial folders (``partials/``, ``includes/``, ``layouts/``…), Rails' and Liquid's ``_name``
and the usual template extensions.  Blade's ``emails.footer`` is also read as ``emails/footer``; a Twig namespace
(``@App/emails/footer.html.twig``) is dropped, so its folder must be a root.

Nothing outside the allowed area is read: the roots when they are given, else the template's folder's third
parent.  A name that is absolute or climbs with ``..`` is refused, and a file is read only when its real path
(symbolic links resolved) stays inside that area.  Folders are listed, not probed name by name, and a message's
lookups share a budget of folder listings and files read, so a template with many includes costs a bounded
number of system calls.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Optional

#: where a template's partials usually live, relative to a root or to the including file's folder or a parent
PARTIAL_DIRS = ("", "partials", "_partials", "includes", "_includes", "layouts", "_layouts", "components",
                "templates", "emails", "views")
#: extensions tried after the name as written ("" first)
PARTIAL_EXTS = ("", ".html", ".htm", ".hbs", ".handlebars", ".mustache", ".twig", ".html.twig", ".liquid",
                ".njk", ".jinja", ".j2", ".tpl", ".erb", ".html.erb", ".text.erb", ".blade.php", ".php", ".mjml",
                ".txt")
MAX_PARTIAL_BYTES = 1_000_000
MAX_PARENTS = 3           # parents of the including file's folder searched
MAX_LISTINGS = 512        # folder listings per message (each one scandir; missing folders cost one failed call)
MAX_FILES = 32            # partial files read per message
MAX_LOOKUPS = 64          # distinct names looked up per message (a name included again reuses its lookup)
MAX_ENTRIES = 20_000      # names read from one folder; a bigger folder is probed name by name instead

_STATIC_NAME = re.compile(r"[\w./-]{1,200}")
_KNOWN_EXT = (".html", ".htm", ".hbs", ".twig", ".liquid", ".tpl", ".njk", ".jinja", ".j2", ".mjml", ".erb",
              ".txt", ".php", ".mustache", ".handlebars")


@dataclass
class Piece:
    """One lookup: ``text``, ``path`` (as found) and ``real`` (links resolved) when the partial was read, else
    ``reason`` says why not."""

    name: str
    path: Optional[str] = None
    text: Optional[str] = None
    reason: str = ""
    real: Optional[str] = None


def shown(path: str) -> str:
    """A path as a user reads it: relative to the current folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:   # another drive (Windows)
        return path
    return path if rel == ".." or rel.startswith(".." + os.sep) else rel


def _inside(path: str, area: str) -> bool:
    try:
        return os.path.commonpath([path, area]) == area
    except ValueError:
        return False


class PartialFinder:
    """Finds the partials of one message (``source``: the template's file path, or ``-``/``<html>``)."""

    def __init__(self, source: str, roots: tuple[str, ...] = ()):
        self.roots = tuple(dict.fromkeys(os.path.realpath(r) for r in roots if os.path.isdir(r)))
        self.given_roots = tuple(roots)
        template = os.path.realpath(source) if source and not source.startswith("<") and source != "-" \
            and os.path.isfile(source) else None
        self.template = template
        if self.roots:
            self.areas = self.roots
        elif template:
            top = os.path.dirname(template)
            for _ in range(MAX_PARENTS):
                top = os.path.dirname(top)
            self.areas = (top,)
        else:
            self.areas = ()
        self._listings: dict[str, Optional[frozenset]] = {}
        self.listings = 0
        self.files = 0
        self.spent = False        # the budget ran out: later names were not looked up
        self._pieces: dict[tuple, Piece] = {}

    # -- where ------------------------------------------------------------------------------------
    def _near(self, including: Optional[str]) -> list[str]:
        """The including file's folder and up to three parents, inside the allowed area."""
        if not including:
            return []
        folder = os.path.dirname(including)
        out = []
        for _ in range(MAX_PARENTS + 1):
            if any(_inside(folder, area) for area in self.areas):
                out.append(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        return out

    def searched(self) -> str:
        """Where lookups go, for a message: "the template roots a/ and b/ and the template's folder…"."""
        near = "the template's folder and its parents" if self._near(self.template) else ""
        if self.roots:
            names = " and ".join(shown(r).rstrip(os.sep) + "/" for r in self.given_roots)
            several = len(self.given_roots) > 1
            where = f"the template root{'s' if several else ''} {names}"
            return f"{where}, then {near} inside {'them' if several else 'it'}" if near else where
        return f"{near}; no template root is set" if near else "nowhere: no template root is set"

    def _list(self, folder: str) -> Optional[frozenset]:
        """The names in ``folder`` (empty when it cannot be listed), or None for a folder too big to list."""
        if folder in self._listings:
            return self._listings[folder]
        if self.listings >= MAX_LISTINGS:
            raise _Budget()
        self.listings += 1
        names: list = []
        try:
            with os.scandir(folder) as it:
                for n, entry in enumerate(it):
                    if n >= MAX_ENTRIES:
                        names = None
                        break
                    names.append(entry.name)
        except OSError:   # missing folder, not a folder, no permission
            pass
        found = self._listings[folder] = frozenset(names) if names is not None else None
        return found

    # -- lookup -----------------------------------------------------------------------------------
    def find(self, name: str, including: Optional[str] = None) -> Piece:
        """The partial ``name`` included by the file ``including`` (its real path; default: the template)."""
        key = (name, including)
        piece = self._pieces.get(key)
        if piece is None:
            if len(self._pieces) >= MAX_LOOKUPS:
                self.spent = True
                return Piece(name, reason=self._spent_reason())
            piece = self._pieces[key] = self._find(name, including)
        return piece

    def _spent_reason(self) -> str:
        return (f"not looked up: the lookup budget of a message ({MAX_LOOKUPS} names, {MAX_LISTINGS} folders, "
                f"{MAX_FILES} files) is spent")

    def _find(self, written: str, including: Optional[str]) -> Piece:
        name = written.strip()
        if name.startswith("@") and "/" in name:       # Twig namespace @App/emails/footer.html.twig
            name = name.split("/", 1)[1]
        if name.startswith("/") or "\\" in name or ".." in name.split("/"):
            return Piece(written, reason="refused: the name leaves the template roots")
        if not _STATIC_NAME.fullmatch(name):
            return Piece(written, reason="not a file name contentlint can look up")
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if not parts:
            return Piece(written, reason="not a file name contentlint can look up")
        variants = ["/".join(parts)]
        if len(parts) == 1 and "." in parts[0] and not parts[0].endswith(_KNOWN_EXT):
            variants.append(parts[0].replace(".", "/"))      # Blade: emails.footer → emails/footer
        pairs = []
        for v in variants:
            head, _, tail = v.rpartition("/")
            pairs += [(head, tail), (head, "_" + tail)]       # Rails and Liquid partials: _footer
        bases = list(self.roots) + [b for b in self._near(including or self.template) if b not in self.roots]
        refused = None
        try:
            for base in bases:
                for sub in PARTIAL_DIRS:
                    for head, tail in pairs:
                        folder = os.path.join(base, sub, head) if (sub or head) else base
                        listing = self._list(folder)
                        for ext in PARTIAL_EXTS:
                            if listing is not None and tail + ext not in listing:
                                continue
                            if listing is None:               # a huge folder: probe (one stat per name)
                                if self.listings >= MAX_LISTINGS:
                                    raise _Budget()
                                self.listings += 1
                                if not os.path.lexists(os.path.join(folder, tail + ext)):
                                    continue
                            path = os.path.join(folder, tail + ext)
                            real = os.path.realpath(path)
                            if not any(_inside(real, area) for area in self.areas):
                                refused = refused or Piece(written, reason=f"refused: {shown(path)} links outside "
                                                           "the template roots")
                                continue
                            if not os.path.isfile(real):
                                continue
                            if os.path.getsize(real) > MAX_PARTIAL_BYTES:
                                refused = refused or Piece(written, reason=f"{shown(path)} is larger than "
                                                           f"{MAX_PARTIAL_BYTES // 1_000_000} MB: not read")
                                continue
                            if self.files >= MAX_FILES:
                                raise _Budget()
                            self.files += 1
                            with open(real, "rb") as fh:
                                return Piece(written, path=path, text=fh.read().decode("utf-8", "replace"), real=real)
        except _Budget:
            self.spent = True
            return Piece(written, reason=self._spent_reason())
        except OSError as exc:
            return Piece(written, reason=f"could not be read: {exc.strerror or exc}")
        return refused or Piece(written, reason="not found")


class _Budget(Exception):
    pass
