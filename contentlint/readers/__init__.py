"""contentlint.readers: every input a user hands us becomes ``Message`` objects or a clear ``InputError``.

Public API (see docs/architecture.md):

    iter_messages(paths, options=ReadOptions(), stdin=None) -> Iterator[Message | InputError]
    read_bytes(data, source="-", options=ReadOptions(), hint_ext="") -> Iterator[Message | InputError]
    read_email_message(msg, source="<message>", index=0, raw=None, options=None) -> Message
    build_message(*, source, index, input_format, headers, subject, sender, text, html, options) -> Message

Inputs are sniffed by content (the file extension is only a hint): Mailjet Send API v3.1 JSON, mbox,
RFC 5322 message, HTML template, plain text.  Nothing here raises on bad input: a broken input becomes an
``InputError`` for that input (or a ``Problem`` on its ``Message``) and the other inputs go on.

This module stays cheap to import: the parsers and the HTML analysis are imported inside functions.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Iterator, Optional, Union

from ..model import INPUT_EML, INPUT_HTML, INPUT_MAILJET, INPUT_TEXT, Field, Message, Part

__all__ = [
    "InputError",
    "ReadOptions",
    "iter_messages",
    "read_bytes",
    "read_email_message",
    "build_message",
    "MAX_INPUT_BYTES",
]

# A single message (or template, or JSON payload) larger than this is refused: bounded memory.
MAX_INPUT_BYTES = 64 * 1024 * 1024


@dataclass
class InputError:
    """An input that could not be used at all (exit code 2)."""

    source: str
    message: str
    index: Optional[int] = None

    def to_dict(self) -> dict:
        d = {"source": self.source, "message": self.message}
        if self.index is not None:
            d["index"] = self.index
        return d

    def __str__(self) -> str:
        where = self.source if self.index is None else f"{self.source}[{self.index}]"
        return f"{where}: {self.message}"


@dataclass
class ReadOptions:
    subject: Optional[str] = None   # --subject, for templates (overrides front matter and <title>)
    sender: Optional[str] = None    # --from, for templates ("Name <a@b>" or "a@b")
    lang: Optional[str] = None      # --lang forces the language
    template_roots: tuple = ()      # --template-root: folders an MJML mj-include may also be read from


Result = Union[Message, InputError]


def _internal(source: str, exc: BaseException, index: Optional[int] = None) -> InputError:
    return InputError(source, f"internal error reading {source}: {type(exc).__name__}: {exc}", index)


# --------------------------------------------------------------------------------------------------
# entry points
# --------------------------------------------------------------------------------------------------
def iter_messages(paths, options: Optional[ReadOptions] = None, stdin=None) -> Iterator[Result]:
    """Read every path (file, directory walked recursively, or "-" for standard input), streaming.

    One ``Message`` per message (mbox and Send API payloads give several, with ``index``), or an
    ``InputError`` per input (or per message) that cannot be used.  Never raises for bad input.
    """
    options = options or ReadOptions()
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    for path in paths:
        path = os.fsdecode(path) if not isinstance(path, str) else path
        if path == "-":
            yield from _guard("-", lambda: _read_stream_source(stdin, options))
            continue
        try:
            is_dir = os.path.isdir(path)
        except OSError:  # pragma: no cover - isdir swallows most errors
            is_dir = False
        if is_dir:
            from .walk import walk

            for fpath, error in walk(path):
                if error is not None:
                    yield InputError(fpath, error)
                else:
                    yield from _guard(fpath, lambda fp=fpath: _read_path(fp, options, from_walk=True))
        else:
            yield from _guard(path, lambda: _read_path(path, options, from_walk=False))


def read_bytes(data: bytes, source: str = "-", options: Optional[ReadOptions] = None,
               hint_ext: str = "") -> Iterator[Result]:
    """Read one input held in memory (a message, an mbox, a template, a Send API payload)."""
    options = options or ReadOptions()
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    yield from _guard(source, lambda: _dispatch_bytes(bytes(data), source, options, hint_ext, False))


def read_email_message(msg, source: str = "<message>", index: int = 0, raw: Optional[bytes] = None,
                       options: Optional[ReadOptions] = None) -> Message:
    """Read a stdlib ``email.message.Message`` (any policy).  ``raw``: the original bytes, if known."""
    from . import mime

    options = options or ReadOptions()
    if raw is None:
        raw = mime.serialise_stdlib_message(msg)
    return mime.read_message_bytes(raw, source, index=index, options=options)


def build_message(*, source: str = "<example>", index: int = 0, input_format: str = INPUT_HTML,
                  headers=None, subject: Optional[str] = None, sender: Optional[str] = None,
                  text: Optional[str] = None, html: Optional[str] = None,
                  options: Optional[ReadOptions] = None, input_kind: Optional[str] = None) -> Message:
    """Build a fully analysed ``Message`` from fields (templates, Send API messages, rule examples, API).

    ``headers``: a mapping or a list of (name, value) pairs.  Given (even empty) with
    ``input_format=INPUT_EML`` the message has headers (header rules apply); otherwise it has none.
    ``subject``/``sender`` default to the Subject/From headers.  ``input_kind`` is the former name of
    ``input_format`` (still accepted).
    """
    from .mime import decode_words, parse_address

    if input_kind is not None:
        input_format = input_kind
    options = options or ReadOptions()
    pairs: list[tuple[str, str]] = []
    if headers is not None:
        items = headers.items() if hasattr(headers, "items") else headers
        for item in items:
            name, value = item
            pairs.append((str(name), decode_words(str(value)) if value is not None else ""))
    msg = Message(source=source, index=index, input_format=input_format,
                  has_headers=(headers is not None and input_format == INPUT_EML), headers=pairs)

    def first(name: str) -> Optional[str]:
        lname = name.lower()
        for k, v in pairs:
            if k.lower() == lname:
                return v
        return None

    msg.subject = subject if subject is not None else first("Subject")
    if sender is None:
        sender = first("From")
    if sender is not None:
        msg.from_name, msg.from_addr, msg.from_domain = parse_address(sender)
    reply_to = first("Reply-To")
    if reply_to is not None:
        _, msg.reply_to, msg.reply_to_domain = parse_address(reply_to)
    return_path = first("Return-Path")
    if return_path is not None:
        _, msg.return_path, msg.return_path_domain = parse_address(return_path)
    # built from strings: each body's positions are lines and columns of the string the caller gave
    if text is not None:
        text, origin = _string_origin(text)
        msg.text = text
        msg.parts.append(Part(label="text/plain", content_type="text/plain", text=text, origin=origin))
    if html is not None:
        html, origin = _string_origin(html)
        msg.html = html
        msg.parts.append(Part(label="text/html", content_type="text/html", text=html, origin=origin))
        msg.file = origin.file
    msg.raw_size = len((text or "").encode("utf-8", "surrogatepass")) + len((html or "").encode("utf-8", "surrogatepass"))
    finish_message(msg, options, content_language=first("Content-Language"))
    return msg


def _string_origin(value: str):
    """A body given as a string, CRLF read as LF, and the Origin of its offsets in that string."""
    from ..spans import FileIndex, Origin

    edits = None
    if "\r\n" in value:
        from .mime import _drop_nul_and_cr

        original = value
        value, edits = _drop_nul_and_cr(value)
        return value, Origin(FileIndex(original), edits)
    return value, Origin(FileIndex(value))


# --------------------------------------------------------------------------------------------------
# shared finishing step: HTML analysis, placeholders, language
# --------------------------------------------------------------------------------------------------
def _norm_lang(value: Optional[str]) -> Optional[str]:
    """'fr-FR' -> 'fr'; rejects placeholders and junk."""
    if not value:
        return None
    value = value.strip().split(",")[0].strip()
    head = value.replace("_", "-").split("-")[0].lower()
    if 2 <= len(head) <= 3 and head.isascii() and head.isalpha():
        return head
    return None


def finish_message(msg: Message, options: ReadOptions, *, content_language: Optional[str] = None,
                   subject_from_title: bool = False, front_matter_lang: Optional[str] = None,
                   front_matter_preheader: Optional[str] = None) -> Message:
    """Fill the HTML-derived fields, placeholders and language of a Message whose text/html are set."""
    from ..placeholders import default_placeholders

    placeholders = default_placeholders()
    lang_attr = None
    if msg.html is not None:
        from ..html_text import analyse_html

        analysis = analyse_html(msg.html, placeholders)
        msg.html_map = analysis.maps
        msg.problems.extend(p for p in analysis.problems
                            if not any(q.code == p.code and q.message == p.message for q in msg.problems))
        msg.visible_text = analysis.visible_text or ""
        msg.preheader = analysis.preheader
        msg.hidden = list(analysis.hidden)
        msg.images = list(analysis.images)
        msg.links = list(analysis.links)
        lang_attr = analysis.lang_attr
        if subject_from_title and not msg.subject and analysis.title and analysis.title.strip():
            msg.subject = " ".join(analysis.title.split())
            msg.fields["subject"] = Field("subject", msg.subject, origin=_title_origin(msg))
        msg.html_size = len(msg.html.encode("utf-8", "surrogatepass"))
    elif msg.text:
        msg.links = _text_links(msg.text, placeholders, msg.problems)
    if front_matter_preheader:
        msg.preheader = front_matter_preheader

    # placeholders seen anywhere the reader will see text
    chunks = [c for c in (msg.subject, msg.preheader, msg.text, msg.html) if c]
    if chunks:
        seen: dict[str, None] = {}
        for chunk in chunks:
            for m in placeholders.find(chunk):
                seen.setdefault(m.token, None)
        msg.placeholders = list(seen)
        if seen:
            msg.esp = placeholders.esp("\n".join(chunks))

    # language: option > front matter > <html lang> > Content-Language > detected
    forced = _norm_lang(options.lang) if options and options.lang else None
    if forced:
        msg.lang, msg.lang_source = forced, "option"
    elif _norm_lang(front_matter_lang):
        msg.lang, msg.lang_source = _norm_lang(front_matter_lang), "front-matter"
    elif _norm_lang(lang_attr):
        msg.lang, msg.lang_source = _norm_lang(lang_attr), "html-lang"
    elif _norm_lang(content_language):
        msg.lang, msg.lang_source = _norm_lang(content_language), "content-language"
    else:
        from ..language import detect

        sample = (msg.subject or "") + "\n" + msg.body_text()
        msg.lang, msg.lang_source = (detect(sample[:20000]) or "und"), "detected"
    return msg


_TEXT_URL = None
MAX_TEXT_LINKS = 500


def _title_origin(msg: Message):
    """The subject of a template read from its <title>: where that text is in the file."""
    def make():
        from ..spans import Origin

        part = msg.part("text/html")
        maps = msg.html_map
        tmap = maps.title_map() if maps is not None else None
        if part is None or tmap is None or part.origin is None:
            return Origin(None)

        def chain(start, end):
            s, e = maps.to_part_span(tmap.start(start), tmap.end(end))
            return part.origin.to_file(s, e) if s >= 0 else (-1, -1)
        return Origin(part.origin.file, chain)
    return make


def _text_links(text: str, placeholders, problems: Optional[list] = None) -> list:
    """Bare URLs of a plain-text message, as the links a mail client shows (no HTML to read them from).

    At most ``MAX_TEXT_LINKS`` are kept; past that, unsubscribe links are still kept (the unsubscribe rules
    must see the whole body) and the cap is a ``text-too-many-links`` problem on the message."""
    global _TEXT_URL
    if _TEXT_URL is None:
        import re

        _TEXT_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]{2,2000}")
    if "://" not in text and "www." not in text.lower():
        return []
    from ..domains import registrable_domain, url_host
    from ..model import Link

    links = []
    seen = 0
    for m in _TEXT_URL.finditer(text):
        seen += 1
        href = m.group().rstrip(".,;:!?")
        url = href if "://" in href else "http://" + href
        try:
            unsubscribe = placeholders.is_unsubscribe_url(url)
        except Exception:
            unsubscribe = False
        if seen > MAX_TEXT_LINKS and not unsubscribe:
            continue
        host = url_host(url)
        link = Link(href=href, host=host, domain=registrable_domain(host) if host else None,
                    scheme=url.split(":", 1)[0].lower(), in_text=True, span=(m.start(), m.start() + len(href)))
        link.is_unsubscribe = unsubscribe
        links.append(link)
    if seen > MAX_TEXT_LINKS and problems is not None:
        from ..model import Location, Problem

        problems.append(Problem("text-too-many-links", f"text/plain: {seen:,} links, more than the {MAX_TEXT_LINKS} "
                                f"the link rules read; the links after the first {MAX_TEXT_LINKS} were not checked "
                                "(unsubscribe links excepted)", Location(part="text/plain")))
    return links


# --------------------------------------------------------------------------------------------------
# dispatch
# --------------------------------------------------------------------------------------------------
def _guard(source: str, make) -> Iterator[Result]:
    """Run a reader generator; any exception becomes an InputError for this input, never a traceback."""
    try:
        yield from make()
    except RecursionError as exc:
        yield InputError(source, f"input nested too deeply to read ({exc})")
    except MemoryError:
        yield InputError(source, "input too large to read in memory")
    except Exception as exc:  # noqa: BLE001 - a bug in one input must not stop the others
        yield _internal(source, exc)


def _ext(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def _read_path(path: str, options: ReadOptions, from_walk: bool) -> Iterator[Result]:
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        if os.path.islink(path):
            yield InputError(path, "cannot read: broken symbolic link")
        else:
            yield InputError(path, "cannot read: no such file or directory")
        return
    except IsADirectoryError:
        yield InputError(path, "cannot read: is a directory")
        return
    except OSError as exc:
        yield InputError(path, f"cannot read: {exc.strerror or exc}")
        return
    with f:
        try:
            yield from _read_file_object(f, path, options, _ext(path), from_walk, seekable=f.seekable())
        except OSError as exc:
            yield InputError(path, f"cannot read: {exc.strerror or exc}")


def _read_stream_source(stdin, options: ReadOptions) -> Iterator[Result]:
    if stdin is None:
        stdin = sys.stdin
    if stdin is None:  # started with standard input closed (`contentlint check - <&-`)
        yield InputError("-", "standard input is closed: nothing to read (give a file, or pipe the message in)")
        return
    if isinstance(stdin, (bytes, bytearray, memoryview)):
        yield from _dispatch_bytes(bytes(stdin), "-", options, "", False)
        return
    stream = getattr(stdin, "buffer", stdin)
    try:
        yield from _read_file_object(stream, "-", options, "", False, seekable=False)
    except OSError as exc:  # an unreadable descriptor (opened write-only, a directory…)
        yield InputError("-", f"cannot read standard input: {getattr(exc, 'strerror', None) or exc}")


PREFIX_BYTES = 64 * 1024
_LONE_CR = None


def normalise_line_ends(data: bytes) -> bytes:
    """Each lone CR (an old Mac line end) becomes LF, before sniffing and parsing.

    Same length, so byte offsets, lines and columns stay those of the file (editors count a CR-only line end
    as a line).  UTF-16 text is left alone (its CR bytes may be half of another character).
    """
    global _LONE_CR
    if b"\r" not in data:
        return data
    from .sniff import BOMS_UTF16

    if data.startswith(BOMS_UTF16):
        return data
    if _LONE_CR is None:
        import re

        _LONE_CR = re.compile(rb"\r(?!\n)")
    return _LONE_CR.sub(b"\n", data)


def _read_file_object(f, source: str, options: ReadOptions, hint_ext: str, from_walk: bool,
                      seekable: bool) -> Iterator[Result]:
    from .sniff import FORMAT_MBOX, sniff

    prefix = f.read(PREFIX_BYTES)
    if isinstance(prefix, str):  # a text stream was handed to us
        prefix = prefix.encode("utf-8", "surrogateescape")
    if len(prefix) < PREFIX_BYTES:  # the whole input
        yield from _dispatch_bytes(prefix, source, options, hint_ext, from_walk)
        return
    sniffed = sniff(normalise_line_ends(prefix), hint_ext, partial=True)
    if sniffed.name == FORMAT_MBOX:
        from .mbox import LoneCRReader, PrefixedReader, iter_mbox

        if seekable:
            f.seek(0)
            reader = f
        else:
            reader = PrefixedReader(prefix, f)
        reader = LoneCRReader(reader)   # a lone CR may come anywhere in a mailbox, past the prefix too
        yield from iter_mbox(reader, source, options)
        return
    rest = f.read(MAX_INPUT_BYTES + 1 - len(prefix))
    if isinstance(rest, str):
        rest = rest.encode("utf-8", "surrogateescape")
    data = prefix + rest
    if len(data) > MAX_INPUT_BYTES:
        yield InputError(source, f"input larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; not read "
                                 "(split it, or give an mbox, which is streamed)")
        return
    yield from _dispatch_bytes(data, source, options, hint_ext, from_walk)


def _dispatch_bytes(data: bytes, source: str, options: ReadOptions, hint_ext: str,
                    from_walk: bool) -> Iterator[Result]:
    from . import sniff as sn

    if len(data) > MAX_INPUT_BYTES:
        yield InputError(source, f"input larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; not read")
        return
    data = normalise_line_ends(data)
    sniffed = sn.sniff(data, hint_ext)
    if sniffed.name == sn.FORMAT_EMPTY:
        yield InputError(source, "empty input (nothing to check)" if not data else
                         "empty input (only whitespace, nothing to check)")
    elif sniffed.name == sn.FORMAT_BINARY:
        yield InputError(source, f"not an e-mail, template or Send API payload: {sniffed.detail}")
    elif sniffed.name == sn.FORMAT_JSON:
        from .mailjet import read_mailjet

        yield from read_mailjet(data, source, options, skip_foreign=from_walk)
    elif sniffed.name == sn.FORMAT_MBOX:
        from .mbox import iter_mbox_bytes

        yield from iter_mbox_bytes(data, source, options)
    elif sniffed.name == sn.FORMAT_EML:
        from .mime import read_message_bytes

        try:
            yield read_message_bytes(data, source, index=0, options=options)
        except Exception as exc:  # noqa: BLE001
            yield _internal(source, exc, 0)
    elif sniffed.name == sn.FORMAT_MJML:
        from .mjml import read_mjml

        yield read_mjml(data, source, options)
    else:
        from .template import read_template

        yield read_template(data, source, options, html=(sniffed.name == sn.FORMAT_HTML))


# keep these names importable from the package for the API and the engine
INPUT_KINDS = (INPUT_EML, INPUT_HTML, INPUT_TEXT, INPUT_MAILJET)
