"""The one message model every rule works on.

Data flows one way: readers (``contentlint.readers``) turn inputs into ``Message``
objects; the HTML analysis (``contentlint.html_text``) fills the HTML-derived fields;
the engine (``contentlint.engine``) runs rules over a ``Message`` and yields ``Finding``
objects; scoring turns findings into a score and a verdict.

Nothing here parses or judges: these are plain data classes plus small helpers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

# Input kinds a Message can come from.
INPUT_EML = "eml"          # RFC 5322 message (also each message of an mbox)
INPUT_HTML = "html"        # HTML template, no headers
INPUT_TEXT = "text"        # plain-text template, no headers
INPUT_MAILJET = "mailjet"  # one message of a Mailjet Send API v3.1 payload


@dataclass(frozen=True)
class Location:
    """Where a finding (or one of its spans) points.

    ``part`` names where the text lives: ``"subject"``, ``"headers"``, ``"from"``,
    ``"text/plain"``, ``"text/html"``, ``"preheader"``…

    File position (what CI annotations, SARIF and editors use): ``line``/``column`` is where the
    matched text starts *in the input file*, ``end_line``/``end_column`` where it ends (``end_column``
    is exclusive, as in SARIF: the column of the character after the match).  Lines and columns are
    1-based; columns count characters of the file line.  ``offset``/``end_offset`` are the same two
    places as byte offsets in the input file.  For a base64 part, the file position is the base64
    line that holds the start (the decoded text is in ``excerpt``).  0 (or -1 for offsets) means
    unknown.

    Decoded position: ``part_offset``/``part_end`` are character offsets of the match in the decoded
    part text (``Part.text`` of the part whose label is ``part_label``), and ``part_line``/``part_column``
    its 1-based line and column there.  The HTML report and the language server mark these.
    """

    part: str = ""
    line: int = 0
    column: int = 0
    excerpt: str = ""
    end_line: int = 0
    end_column: int = 0
    offset: int = -1
    end_offset: int = -1
    part_label: str = ""
    part_offset: int = -1
    part_end: int = -1
    part_line: int = 0
    part_column: int = 0
    match: str = ""           # the matched text as decoded (cut to MATCH_MAX characters, see ``match_length``)
    match_length: int = 0     # length of the whole matched text, in characters

    def to_dict(self) -> dict:
        out = {"part": self.part, "line": self.line, "column": self.column,
               "end_line": self.end_line, "end_column": self.end_column, "excerpt": self.excerpt}
        if self.offset >= 0:
            out["offset"] = self.offset
            out["end_offset"] = self.end_offset
        if self.part_offset >= 0:
            out["decoded"] = {"part": self.part_label, "line": self.part_line, "column": self.part_column,
                              "offset": self.part_offset, "end_offset": self.part_end}
        if self.match or self.match_length:
            out["match"] = self.match
            out["match_length"] = self.match_length
        return out


#: Longest matched text kept on a Location (longer matches are cut, their length kept in ``match_length``).
MATCH_MAX = 200
#: Spans kept per finding (the first is the finding's printed location).
MAX_SPANS = 50


@dataclass
class Part:
    """One decoded MIME leaf part (or the whole body of a template)."""

    label: str               # e.g. "text/html", "1.2 text/plain"
    content_type: str        # e.g. "text/html"
    charset: str = "utf-8"   # charset actually used to decode
    encoding: str = ""       # Content-Transfer-Encoding as declared ("", "7bit", "quoted-printable", "base64"…)
    text: str = ""           # decoded text
    start_line: int = 0      # line in the input file holding line 1 of ``text``; 0 if not mappable
    file_mapped: bool = False  # True when ``text`` appears verbatim in the input file (so lines are file lines)
    origin: Any = None       # contentlint.spans.Origin: offsets of ``text`` → the input file (None: unknown)


@dataclass
class Field:
    """A text of the message that is not a MIME part (the subject, the From header's value, a front-matter
    value, an option): what it says, and where it lives in the input file."""

    label: str               # "subject", "from", "reply-to", "preheader"…
    text: str
    origin: Any = None       # contentlint.spans.Origin, or a callable returning one (built on first use)
    where: str = ""          # where it came from when it is not in the file: "option --subject"…

    def resolve_origin(self):
        """The Origin, built on first use; a builder may return ``(text, origin)`` to fill ``text`` too (a
        header value decoded only when a finding points into it)."""
        o = self.origin
        if o is not None and not hasattr(o, "to_file"):
            o = o()
            if isinstance(o, tuple):
                text, o = o
                self.text = self.text or text
            self.origin = o
        return o


@dataclass
class Image:
    src: str
    alt: Optional[str] = None        # None: no alt attribute at all; "" : empty alt (decorative)
    width: Optional[int] = None      # declared pixels (attribute or inline style), None if not declared
    height: Optional[int] = None
    linked: bool = False             # inside an <a href>
    href: Optional[str] = None
    tracking_pixel: bool = False     # 1x1 / 0x0 / hidden image
    index: int = -1                  # position among the HTML's links and images (html_source.TextMaps.items)


@dataclass
class Link:
    href: str
    text: str = ""                   # visible anchor text, whitespace-collapsed, placeholders masked
    domain: Optional[str] = None     # registrable domain (public suffix list), None for mailto:, placeholders, relative
    host: Optional[str] = None       # full host name
    scheme: str = ""                 # "https", "http", "mailto", "" …
    is_placeholder: bool = False     # href is (or starts with) a template placeholder
    is_unsubscribe: bool = False     # text says unsubscribe or href is an ESP unsubscribe placeholder
    has_image: bool = False          # anchor wraps an image
    in_text: bool = False            # a bare URL of a plain-text body (mail clients make it clickable)
    index: int = -1                  # position among the HTML's links and images (html_source.TextMaps.items)
    span: tuple = ()                 # (start, end) of the URL in the text part, for bare URLs of a text body


@dataclass
class Hidden:
    """Text a reader cannot see, and why."""

    text: str
    reason: str                      # "display:none", "visibility:hidden", "zero size", "same colour as background", "opacity:0", …
    is_preheader: bool = False       # the conventional hidden preheader block (not a spam signal)
    index: int = -1                  # its record in html_source.TextMaps.hidden


@dataclass
class Problem:
    """Something wrong with the input itself, found while reading (becomes a finding)."""

    code: str                        # e.g. "malformed-mime", "unknown-charset", "truncated-base64"
    message: str
    location: Location = field(default_factory=Location)


@dataclass
class Message:
    source: str                      # path, or "-" for standard input
    index: int = 0                   # position inside its source (mbox, Send API payload); 0 otherwise
    input_format: str = INPUT_EML
    has_headers: bool = True         # False for templates: header rules must not fire
    headers: list[tuple[str, str]] = field(default_factory=list)  # decoded, in file order
    subject: Optional[str] = None
    subject_source: str = ""         # "option" (--subject), "front-matter", "title", "header"; "" unknown
    from_addr: Optional[str] = None  # "news@example.com"
    from_name: Optional[str] = None
    from_domain: Optional[str] = None
    reply_to: Optional[str] = None
    reply_to_domain: Optional[str] = None
    return_path: Optional[str] = None
    return_path_domain: Optional[str] = None
    text: Optional[str] = None       # text/plain body (decoded), None when absent
    html: Optional[str] = None       # text/html body (decoded source), None when absent
    visible_text: str = ""           # what a reader sees of the HTML (no script/style/head/comments/hidden)
    preheader: Optional[str] = None
    hidden: list[Hidden] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)  # "name (type, N bytes)"
    lang: str = "und"                # "fr", "en", other ISO code, or "und"
    lang_source: str = ""            # "html-lang", "content-language", "detected", "option"
    placeholders: list[str] = field(default_factory=list)  # placeholder tokens seen (raw text)
    esp: Optional[str] = None        # template syntax/ESP guessed from placeholders ("mailchimp", "mailjet", "jinja"…)
    clients: tuple = ()              # mail clients the rendering rules judge for (config `clients:`); () = default
    problems: list[Problem] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    raw_size: int = 0                # bytes of the input message
    html_size: int = 0               # bytes of the HTML part as sent (UTF-8)
    sandbox: bool = False            # Mailjet SandboxMode
    fields: dict = field(default_factory=dict)   # label → Field: subject, from… with their place in the file
    html_map: Any = None             # contentlint.html_text.TextMaps: visible/hidden/link texts → HTML source
    file: Any = None                 # contentlint.spans.FileIndex of the input (e-mails: the message's bytes)
    header_offsets: list = field(default_factory=list)  # offset in ``file`` of each header of ``headers``

    # -- helpers -----------------------------------------------------------------
    def header(self, name: str) -> Optional[str]:
        """First header of that name (case-insensitive), or None."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [value for key, value in self.headers if key.lower() == lname]

    def body_text(self) -> str:
        """The text a reader reads: the HTML's visible text when there is HTML, else the text part."""
        if self.html is not None and self.visible_text.strip():
            return self.visible_text
        return self.text or ""

    def part(self, content_type: str) -> Optional[Part]:
        for p in self.parts:
            if p.content_type == content_type:
                return p
        return None

    def part_by_label(self, label: str) -> Optional[Part]:
        """The part whose label or content type is ``label`` (the first one)."""
        for p in self.parts:
            if p.label == label:
                return p
        return self.part(label)
