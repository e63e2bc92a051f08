"""The library API: a ``Linter`` built once, and a ``Report`` per message.

    from contentlint import Linter

    linter = Linter()                       # packs compiled once
    report = linter.check_html("<p>Hello {{ first_name }}</p>", subject="Your March news",
                               sender="news@example.com")
    print(report.score, report.verdict)
    for finding in report.findings:
        print(finding.rule, finding.message, finding.suggestion)

A ``Linter`` keeps no per-call state, so one instance can be shared between threads.  It pickles as
its settings (not its compiled rules): a worker process rebuilds the rule set once and reuses it for
every later linter with the same settings, so ``ProcessPoolExecutor``, Dask and Spark can ship it.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Optional, Sequence, Union

from .config import DEFAULT_CONFIG, Config, load_config
from .findings import Finding
from .scoring import FAIL, VERDICT_RANK, Thresholds, score_findings
from .suppress import matches_any

if TYPE_CHECKING:  # pragma: no cover
    import email.message

    from .model import Message
    from .readers import InputError

__all__ = ["Linter", "Report", "ContentlintInputError", "DnsAuditError", "DnsSettings", "InputError"]

JSON_FORMAT_VERSION = "1"


class ContentlintInputError(Exception):
    """Input that could not be used at all (the CLI's exit code 2).

    ``errors`` lists every ``InputError``; ``reports`` holds the reports of the messages that could be
    checked (a folder or mbox with one bad file still yields the others).
    """

    def __init__(self, errors: Sequence[Any], reports: Sequence["Report"] = ()):
        self.errors = list(errors)
        self.reports = list(reports)
        first = self.errors[0] if self.errors else None
        self.source = getattr(first, "source", "")
        self.message = getattr(first, "message", "")
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{self.source}: {self.message}{more}")


def __getattr__(name):  # `from contentlint.api import InputError` without importing the readers eagerly
    if name == "InputError":
        from .readers import InputError

        return InputError
    raise AttributeError(name)


class DnsAuditError(Exception):
    """The opt-in DNS audit could not run (DNS unreachable, bad zone file…).  ``report`` holds the
    message's report without the DNS findings."""

    def __init__(self, message: str, report: "Report"):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class DnsSettings:
    """Settings of the opt-in DNS audit (``check --dns``)."""

    nameserver: Optional[str] = None      # "192.0.2.53", "192.0.2.53:5353" or "[2001:db8::53]:5353"
    timeout: Optional[float] = None
    dkim_selectors: tuple[str, ...] = ()
    zone: Any = None                      # RFC 1035 master file (or a tuple of them) read instead of querying DNS
    origin: Optional[str] = None          # origin of relative names in zone files without $ORIGIN or SOA

    def options(self):
        """The ``contentlint.dnsaudit.DnsOptions`` for these settings."""
        from .dnsaudit import DnsOptions

        kwargs: dict[str, Any] = {"dkim_selectors": tuple(self.dkim_selectors), "zone_file": self.zone,
                                  "origin": self.origin}
        if self.nameserver:
            host, port = split_host_port(self.nameserver)
            kwargs["nameserver"] = host
            if port:
                kwargs["port"] = port
        if self.timeout is not None:
            kwargs["timeout"] = float(self.timeout)
        return DnsOptions(**kwargs)


def split_host_port(value: str) -> tuple[str, Optional[int]]:
    """``"192.0.2.1:5353"`` → (``"192.0.2.1"``, 5353); ``"[::1]:53"`` → (``"::1"``, 53); a bare address → (it, None)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        host, _, rest = value[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        if port.isdigit():
            return host, int(port)
    return value, None


@dataclass
class Report:
    """The result for one message."""

    source: str
    index: int
    input_format: str
    subject: Optional[str]
    score: float
    verdict: str
    findings: list[Finding] = field(default_factory=list)
    kind: str = "marketing"                # mail kind the message was judged as
    lang: str = "und"
    compliance_failure: bool = False       # verdict forced to fail by a compliance error
    thresholds: Thresholds = field(default_factory=Thresholds)
    requirements: list = field(default_factory=list)   # contentlint.requirements.Item (check --requirements)
    attachments: list[dict] = field(default_factory=list)   # [{name, type, size}] of the attached files
    #: the checked ``Message`` (parts, headers, HTML), kept only by a ``Linter(keep_message=True)``: the
    #: HTML report renders it; other runs do not hold every message of a batch in memory
    message: Optional["Message"] = field(default=None, repr=False, compare=False)

    def failed(self, fail_on: str = FAIL, max_score: Optional[float] = None) -> bool:
        """True when this message makes a run fail (``--fail-on`` / ``--max-score``)."""
        if VERDICT_RANK.get(self.verdict, 0) >= VERDICT_RANK.get(fail_on, 2):
            return True
        return max_score is not None and self.score > max_score

    def to_dict(self) -> dict:
        """The result object of the JSON report (``contentlint/schema/report-v1.schema.json``)."""
        return {
            "source": self.source,
            "index": self.index,
            "kind": self.kind,
            "input_format": self.input_format,
            "input_kind": self.input_format,      # its report-v1 name, kept for existing consumers
            "subject": self.subject,
            "lang": self.lang,
            "score": self.score,
            "verdict": self.verdict,
            "compliance_failure": self.compliance_failure,
            "thresholds": {"warn": self.thresholds.warn, "fail": self.thresholds.fail},
            "findings": [f.to_dict() for f in self.findings],
            **({"requirements": [item.to_dict() for item in self.requirements]} if self.requirements else {}),
            **({"attachments": list(self.attachments)} if self.attachments else {}),
        }


def error_to_dict(error: Any) -> dict:
    out = {"source": getattr(error, "source", ""), "message": getattr(error, "message", str(error))}
    index = getattr(error, "index", None)
    if index is not None:
        out["index"] = index
    return out


# -- settings and the per-process rule set cache ---------------------------------------------------

_RULESETS: dict = {}
_RULESETS_LOCK = threading.Lock()
_LINTERS: dict = {}


def _tuple(values: Union[str, Iterable[str], None]) -> tuple[str, ...]:
    if not values:
        return ()
    if isinstance(values, (str, os.PathLike)):
        values = [values]
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in str(v).split(",") if x.strip())
    return tuple(out)


def _template_roots(roots: Iterable[Union[str, os.PathLike]], after: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Absolute template roots, in search order, each once; ``ValueError`` naming a folder that does not exist."""
    out = []
    for root in ([roots] if isinstance(roots, (str, os.PathLike)) else roots):
        full = os.path.abspath(os.fspath(root))
        if not os.path.isdir(full):
            raise ValueError(f"template root not found (or not a folder): {os.fspath(root)}")
        out.append(full)
    return tuple(dict.fromkeys((*out, *after)))


def _load_ruleset(packs, disable, overrides, select, ignore, weights_file):
    key = (packs, disable, overrides, select, ignore, weights_file)
    with _RULESETS_LOCK:
        cached = _RULESETS.get(key)
    if cached is not None:
        return cached
    from .engine import load_ruleset

    ruleset = load_ruleset(
        packs,
        disable=disable,
        overrides={rule: dict(spec) for rule, spec in overrides},
        select=select,
        ignore=ignore,
        weights_file=weights_file,
    )
    with _RULESETS_LOCK:
        _RULESETS.setdefault(key, ruleset)
        return _RULESETS[key]


def _located(exc: Exception, config: Config) -> Exception:
    """A rule pack error about a rule the configuration names, as a ``ConfigError`` at that line (every error
    of ``exc.errors`` converted the same way; the others are left as they are)."""
    from .config import ConfigError

    errors = getattr(exc, "errors", None) or [exc]
    out: list[Exception] = []
    for err in errors:
        rule_id = getattr(err, "rule_id", None)
        where = config.where(rule_id) if (rule_id and config.path and not getattr(err, "file", None)) else None
        if where is not None:
            message = str(getattr(err, "message", err)).replace(" in configuration", "")
            err = ConfigError(config.path, where[1], where[0], message)
        out.append(err)
    first = out[0]
    first.errors = out  # type: ignore[attr-defined]
    return first


def _rebuild_linter(spec: tuple) -> "Linter":
    """Unpickle: one Linter per distinct settings per process."""
    linter = _LINTERS.get(spec)
    if linter is None:
        linter = Linter._from_spec(spec)
        _LINTERS[spec] = linter
    return linter


class Linter:
    """Checks messages with one set of rules and settings.

    ``config`` is a ``Config``, a path to a ``.contentlint.yaml``/``pyproject.toml``, or None (built-in
    defaults; the library never searches for configuration files, the CLI does).  Keyword arguments
    override or extend it: ``rules`` (extra pack paths, added), ``select`` (replaces), ``ignore`` and
    ``disable`` (added), ``overrides`` ({rule: {level, weight}}, merged), ``kind``, ``lang`` (forces the
    language of every message), ``languages``, ``thresholds`` (``Thresholds`` or {warn, fail}),
    ``subject``/``sender`` (defaults for templates), ``dns`` (``DnsSettings``, a dict of its fields, or
    True: audit each message's From domain), ``fail_on``/``max_score`` (used by ``Report.failed``),
    ``requirements`` (provider keys such as ``["gmail"]`` or ``["all"]``: each Report carries the providers'
    checklist, see ``contentlint.requirements``).
    ``keep_message`` (each ``Report`` keeps its ``Message``, for the HTML report), ``clients`` (the
    rendering audience, ``contentlint.clients`` names, over the configuration's ``clients:``),
    ``template_roots`` (folders where included partials and layouts are looked up, searched before the
    configuration's ``template-root``; a folder that does not exist is a ``ValueError``).

    Raises ``ConfigError`` for an invalid configuration and ``PackError`` for an invalid rule pack.
    """

    def __init__(
        self,
        config: Union[Config, str, os.PathLike, None] = None,
        *,
        rules: Iterable[Union[str, os.PathLike]] = (),
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        disable: Iterable[str] = (),
        overrides: Optional[Mapping[str, Mapping[str, Any]]] = None,
        kind: Optional[str] = None,
        lang: Optional[str] = None,
        languages: Iterable[str] = (),
        thresholds: Union[Thresholds, Mapping[str, float], None] = None,
        subject: Optional[str] = None,
        sender: Optional[str] = None,
        dns: Union[DnsSettings, Mapping[str, Any], bool, None] = None,
        fail_on: Optional[str] = None,
        max_score: Optional[float] = None,
        weights_file: Union[str, os.PathLike, None] = None,
        requirements: Iterable[str] = (),
        keep_message: bool = False,
        clients: Iterable[str] = (),
        template_roots: Iterable[Union[str, os.PathLike]] = (),
    ):
        if config is None:
            cfg = DEFAULT_CONFIG
        elif isinstance(config, Config):
            cfg = config
        else:
            cfg = load_config(os.fspath(config))
        if clients:   # the rendering audience (contentlint.clients names), over the configuration's
            from dataclasses import replace as _replace

            from .clients import resolve

            resolve(_tuple(clients))            # UnknownClient (a ValueError) names a bad one
            cfg = _replace(cfg, clients=_tuple(clients))
        if template_roots:   # searched before the configuration's template-root folders
            from dataclasses import replace as _replace

            cfg = _replace(cfg, template_roots=_template_roots(template_roots, cfg.template_roots))
        if kind is not None and kind not in ("marketing", "transactional"):
            raise ValueError(f"kind must be marketing or transactional, not {kind!r}")
        if fail_on is not None and fail_on not in ("warn", "fail"):
            raise ValueError(f"fail_on must be warn or fail, not {fail_on!r}")
        merged_overrides = dict(cfg.overrides_dict())
        for rule, spec in (overrides or {}).items():
            merged_overrides.setdefault(rule, {}).update(dict(spec))
        if isinstance(thresholds, Mapping):
            thresholds = Thresholds(**{k: float(v) for k, v in thresholds.items()})
        if dns is True:
            dns = DnsSettings()
        elif isinstance(dns, Mapping):
            dns = DnsSettings(
                nameserver=dns.get("nameserver"),
                timeout=dns.get("timeout"),
                dkim_selectors=_tuple(dns.get("dkim_selectors")),
                zone=(os.fspath(dns["zone"]) if isinstance(dns.get("zone"), (str, os.PathLike))
                      else tuple(os.fspath(z) for z in dns["zone"])) if dns.get("zone") else None,
                origin=dns.get("origin"),
            )
        elif not dns:
            dns = None
        spec = (
            cfg,
            tuple(os.path.abspath(os.fspath(p)) for p in (*cfg.rules, *rules)),
            tuple(dict.fromkeys(cfg.disable + _tuple(disable))),
            tuple(sorted((r, tuple(sorted(s.items()))) for r, s in merged_overrides.items())),
            _tuple(select) or cfg.select,
            tuple(dict.fromkeys(cfg.ignore + _tuple(ignore))),
            kind or cfg.kind or "marketing",
            lang,
            _tuple(languages) or cfg.languages,
            thresholds or cfg.thresholds or Thresholds(),
            subject,
            sender,
            dns,
            fail_on or cfg.fail_on or FAIL,
            max_score if max_score is not None else cfg.max_score,
            os.fspath(weights_file) if weights_file else getattr(cfg, "weights", None),
            bool(keep_message),
        )
        if requirements:
            from .requirements import parse_providers

            spec += (parse_providers([requirements] if isinstance(requirements, str) else requirements),)
        self._init_from_spec(spec)

    # -- construction and pickling ---------------------------------------------------------------
    @classmethod
    def _from_spec(cls, spec: tuple) -> "Linter":
        self = cls.__new__(cls)
        self._init_from_spec(spec)
        return self

    def _init_from_spec(self, spec: tuple) -> None:
        (self.config, self.packs, self.disable, self._overrides, self.select, self.ignore, self.kind,
         self.lang, self.languages, self.thresholds, self.subject, self.sender, self.dns, self.fail_on,
         self.max_score, self.weights_file) = spec[:16]
        self.keep_message = spec[16] if len(spec) > 16 else False   # Report.message (the HTML report)
        self.requirements = spec[17] if len(spec) > 17 else ()
        self._spec = spec
        try:
            self.ruleset = _load_ruleset(self.packs, self.disable, self._overrides, self.select, self.ignore,
                                         self.weights_file)
        except Exception as exc:
            raise _located(exc, self.config) from None
        known = getattr(self.ruleset, "known_ids", None)
        if known and self.config.per_file_ignores:
            from .config import ConfigError
            from .selection import hint, matches

            bad = []
            for _glob, ids in self.config.per_file_ignores:
                for rid in ids:
                    if not any(matches(r, rid) for r in known):
                        key, line = self.config.where(rid) or ("per-file-ignores", 0)
                        bad.append(ConfigError(self.config.path or "", line, key,
                                               f"unknown rule id {rid!r} (nor a prefix of one) ({hint(rid, known)})"))
            if bad:
                bad[0].errors = bad  # type: ignore[attr-defined]
                raise bad[0]
        self.caps = getattr(self.ruleset, "caps", None)
        from .readers import ReadOptions

        self.read_options = ReadOptions(subject=subject_or_none(self.subject), sender=self.sender, lang=self.lang,
                                        template_roots=self.config.template_roots)
        _LINTERS.setdefault(spec, self)

    def __reduce__(self):
        return (_rebuild_linter, (self._spec,))

    def __repr__(self) -> str:
        where = self.config.path or "defaults"
        return f"<Linter config={where} kind={self.kind} rules={len(getattr(self.ruleset, 'rules', ()))}>"

    @property
    def overrides(self) -> dict[str, dict[str, Any]]:
        return {rule: dict(spec) for rule, spec in self._overrides}

    @property
    def rules(self) -> list:
        """The loaded ``Rule`` objects."""
        return list(getattr(self.ruleset, "rules", ()))

    def with_read_options(self, *, subject: Optional[str] = None, sender: Optional[str] = None,
                          lang: Optional[str] = None) -> "Linter":
        """A linter sharing this one's rules whose template defaults differ."""
        spec = list(self._spec)
        spec[7] = lang if lang is not None else spec[7]
        spec[10] = subject if subject is not None else spec[10]
        spec[11] = sender if sender is not None else spec[11]
        return _rebuild_linter(tuple(spec))

    # -- checking ---------------------------------------------------------------------------------
    def check(self, message: "Message") -> Report:
        """Run the rules over an already read ``Message`` and score it."""
        if self.languages and not self.lang and message.lang not in self.languages:
            message.lang = self.languages[0]
            message.lang_source = "config"
        if self.config.clients and not message.clients:
            message.clients = self.config.clients
        findings = list(self.ruleset.check(message, self.kind, template_roots=self.config.template_roots))
        if findings and getattr(message.part("text/html"), "source_map", None) is not None:
            from .readers.mjml import map_findings   # MJML: HTML locations → .mjml source lines

            findings = map_findings(findings, message)
        dns_failure = None
        if self.dns is not None:
            try:
                findings = self.ruleset.drop_replaced(findings + self._dns_findings(message))
            except Exception as exc:  # unreachable DNS, unreadable zone file…
                dns_failure = f"DNS audit failed: {exc}" if str(exc) else f"DNS audit failed: {type(exc).__name__}"
        if findings:
            from . import suppress

            findings = suppress.apply(findings, message)
            ignored = self.config.ignored_for(message.source)
            if ignored:
                findings = [f for f in findings if not matches_any(f.rule, ignored)]
            findings.sort(key=Finding.sort_key)
        score = score_findings(findings, caps=self.caps, thresholds=self.thresholds)
        report = Report(
            source=message.source,
            index=message.index,
            input_format=message.input_format,
            subject=message.subject,
            score=score.score,
            verdict=score.verdict,
            findings=findings,
            kind=self.kind,
            lang=message.lang,
            compliance_failure=score.compliance_failure,
            thresholds=self.thresholds,
            attachments=[attachment_dict(a) for a in message.attachments],
            message=message if self.keep_message else None,
        )
        if self.requirements:
            from .requirements import checklist

            report.requirements = checklist(message, findings, providers=self.requirements, ruleset=self.ruleset,
                                            kind=self.kind, dns=self.dns is not None and dns_failure is None)
        if dns_failure:
            raise DnsAuditError(dns_failure, report)
        return report

    def _dns_findings(self, message: "Message") -> list[Finding]:
        from .dnsaudit import check_message_dns

        found = check_message_dns(message, self.dns.options(), ruleset=self.ruleset)
        out = []
        for f in found:
            if self.select and not matches_any(f.rule, self.select):
                continue
            if matches_any(f.rule, self.ignore) or matches_any(f.rule, self.disable):
                continue
            out.append(f)
        return out

    def check_items(self, message: "Message") -> list:
        """``[Report]`` for the message; a failure becomes an ``InputError`` for that message instead
        (a failed DNS audit gives the content report, then the error)."""
        from .readers import InputError

        try:
            return [self.check(message)]
        except DnsAuditError as exc:
            return [exc.report, InputError(message.source, str(exc), message.index)]
        except Exception as exc:  # a bug or a pathological input must not stop a batch
            return [InputError(message.source, f"could not check this message: {type(exc).__name__}: {exc}",
                               message.index)]

    def iter_path(self, *paths: Union[str, os.PathLike], stdin=None) -> Iterator[Union[Report, "InputError"]]:
        """Stream a ``Report`` per message (``InputError`` for unusable inputs), in input order.

        Each path is a file, a folder (walked recursively) or ``-`` (``stdin``, a binary stream or bytes).
        """
        from .readers import InputError, iter_messages

        for item in iter_messages([os.fspath(p) for p in paths], self.read_options, stdin=stdin):
            if isinstance(item, InputError):
                yield item
            else:
                yield from self.check_items(item)

    def check_path(self, path: Union[str, os.PathLike]) -> list[Report]:
        """Reports for every message in a file or folder.  Raises ``ContentlintInputError`` (carrying
        the other reports) when an input cannot be used; use ``iter_path`` to stream both."""
        return self._collect(self.iter_path(path))

    def check_bytes(self, data: bytes, source: str = "-", hint_ext: str = "") -> list[Report]:
        """Reports for raw bytes (.eml, mbox, HTML, text or Send API JSON, sniffed by content).
        Raises ``ContentlintInputError`` when the data cannot be used."""
        from .readers import InputError, read_bytes

        def items():
            for item in read_bytes(bytes(data), source=source, options=self.read_options, hint_ext=hint_ext):
                if isinstance(item, InputError):
                    yield item
                else:
                    yield from self.check_items(item)

        return self._collect(items())

    @staticmethod
    def _collect(items: Iterable) -> list[Report]:
        reports: list[Report] = []
        errors = []
        for item in items:
            (reports if isinstance(item, Report) else errors).append(item)
        if errors:
            raise ContentlintInputError(errors, reports)
        return reports

    def check_message(self, message: "email.message.Message", source: str = "<message>") -> Report:
        """Report for an ``email.message.EmailMessage`` (or ``email.message.Message``)."""
        from .readers import read_email_message

        return self.check(read_email_message(message, source=source, index=0, options=self.read_options))

    def check_html(self, html: str, subject: Optional[str] = None, sender: Optional[str] = None, *,
                   text: Optional[str] = None, source: str = "<html>") -> Report:
        """Report for an HTML template or body, with an optional subject, sender and text part."""
        from .model import INPUT_HTML
        from .readers import build_message

        message = build_message(
            source=source, index=0, input_format=INPUT_HTML,
            subject=subject if subject is not None else self.subject,
            sender=sender if sender is not None else self.sender,
            html=html, text=text, options=self.read_options,
        )
        return self.check(message)

    def check_text(self, text: str, subject: Optional[str] = None, sender: Optional[str] = None, *,
                   source: str = "<text>") -> Report:
        """Report for a plain-text template or body."""
        from .model import INPUT_TEXT
        from .readers import build_message

        message = build_message(
            source=source, index=0, input_format=INPUT_TEXT,
            subject=subject if subject is not None else self.subject,
            sender=sender if sender is not None else self.sender,
            text=text, options=self.read_options,
        )
        return self.check(message)


def attachment_dict(text: str) -> dict:
    """``"name (type, N bytes…)"`` as the reader records it → ``{name, type, size[, note]}``."""
    import re

    m = re.fullmatch(r"(?s)(.*) \(([^,()]*), (\d+) bytes(?:, )?(.*)\)", text)
    if not m:
        return {"name": text, "type": "", "size": 0}
    out = {"name": m.group(1), "type": m.group(2), "size": int(m.group(3))}
    if m.group(4):
        out["note"] = m.group(4)
    return out


def subject_or_none(subject: Optional[str]) -> Optional[str]:
    return subject if subject else None
