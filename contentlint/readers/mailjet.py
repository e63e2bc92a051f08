"""Mailjet Send API v3.1 payloads: ``{"Messages": [...], "Globals": {...}, "SandboxMode": bool}``.

One result per entry of ``Messages``, in input order, like the Send API's own per-message responses.
``Globals`` supplies defaults for every message (a message's own value wins; ``Headers`` and ``Variables``
are merged key by key).  A message that breaks the v3.1 shape yields an ``InputError`` naming the field
(``Messages[2].From.Email: missing``); the other messages are still read.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator, Optional

from ..model import INPUT_MAILJET, Location, Problem

_MERGED_OBJECTS = ("Headers", "Variables")


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


class ShapeError(Exception):
    pass


def _contact(value: Any, where: str, required: bool) -> Optional[tuple[str, Optional[str]]]:
    if value is None:
        if required:
            raise ShapeError(f"{where}: missing (an object {{\"Email\": …, \"Name\": …}} is required)")
        return None
    if not isinstance(value, dict):
        raise ShapeError(f"{where}: expected an object {{\"Email\": …, \"Name\": …}}, got {_type_name(value)}")
    email = value.get("Email")
    if email is None:
        raise ShapeError(f"{where}.Email: missing")
    if not isinstance(email, str):
        raise ShapeError(f"{where}.Email: expected a string, got {_type_name(email)}")
    if "@" not in email or not email.strip():
        raise ShapeError(f"{where}.Email: \"{email[:80]}\" is not an e-mail address")
    name = value.get("Name")
    if name is not None and not isinstance(name, str):
        raise ShapeError(f"{where}.Name: expected a string, got {_type_name(name)}")
    return email.strip(), name


def _contacts(value: Any, where: str) -> int:
    if value is None:
        return 0
    if not isinstance(value, list):
        raise ShapeError(f"{where}: expected a list of {{\"Email\": …}} objects, got {_type_name(value)}")
    for k, item in enumerate(value):
        _contact(item, f"{where}[{k}]", True)
    return len(value)


def _optional(m: dict, key: str, where: str, types, what: str):
    value = m.get(key)
    if value is not None and not isinstance(value, types):
        raise ShapeError(f"{where}.{key}: expected {what}, got {_type_name(value)}")
    if isinstance(value, bool) and types is int:
        raise ShapeError(f"{where}.{key}: expected {what}, got a boolean")
    return value


TEMPLATE_ID_MAX = 2 ** 63 - 1   # a template id is a positive 64-bit integer


def _template_id(m: dict, where: str) -> Optional[int]:
    """``TemplateID``: a positive integer; a float, NaN or a number out of range says what is wrong with it."""
    value = m.get("TemplateID")
    key = f"{where}.TemplateID"
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:
            raise ShapeError(f"{key}: NaN is not a template id (expected a positive integer)")
        if value in (float("inf"), float("-inf")):
            raise ShapeError(f"{key}: {'-' if value < 0 else ''}Infinity is not a template id (expected a positive integer)")
        if not value.is_integer():
            raise ShapeError(f"{key}: {value!r} is not an integer (expected a positive integer)")
        if not 0 < value <= TEMPLATE_ID_MAX:
            raise ShapeError(f"{key}: {value:g} is out of range (expected a positive integer up to {TEMPLATE_ID_MAX})")
        raise ShapeError(f"{key}: {value!r} is written as a decimal number; write the integer {int(value)}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShapeError(f"{key}: expected a positive integer, got {_type_name(value)}")
    if not 0 < value <= TEMPLATE_ID_MAX:
        shown = str(value) if len(str(value)) <= 30 else f"a {len(str(value))}-digit number"
        raise ShapeError(f"{key}: {shown} is out of range (expected a positive integer up to {TEMPLATE_ID_MAX})")
    return value


def _merge(globals_: dict, message: dict) -> dict:
    merged = dict(globals_)
    for key, value in message.items():
        if key in _MERGED_OBJECTS and isinstance(value, dict) and isinstance(globals_.get(key), dict):
            merged[key] = {**globals_[key], **value}
        else:
            merged[key] = value
    return merged


def _format_sender(email: str, name: Optional[str]) -> str:
    if name:
        return f"\"{name}\" <{email}>"
    return email


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')
_JSON_ESCAPE = re.compile(r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)")
#: Only the string values the reader maps back (a payload's other strings are never positions).
_MAPPED_KEYS = frozenset({"HTMLPart", "TextPart", "Subject", "Email"})


def json_string_spans(text: str) -> dict:
    """``{path: (start, end)}`` of the string values of ``_MAPPED_KEYS`` in a JSON text (the token with its
    quotes); a path is like ``("Messages", 0, "HTMLPart")``.  One linear pass over the tokens."""
    out: dict = {}
    stack: list = []            # per open container: [is_object, current key or index, expecting_key]
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c in "{[":
            stack.append([c == "{", None if c == "{" else 0, c == "{"])
            continue
        if c in "}]":
            if stack:
                stack.pop()
            continue
        if not stack:
            continue
        top = stack[-1]
        if c == ":":
            top[2] = False
            continue
        if c == ",":
            if top[0]:
                top[2] = True
            else:
                top[1] += 1
            continue
        if top[0] and top[2]:
            top[1] = tok[1:-1] if c == '"' else tok
            continue
        if c == '"' and top[1] in _MAPPED_KEYS:
            out[tuple(x[1] for x in stack)] = (m.start(), m.end())
    return out


def json_string_map(text: str, start: int, end: int):
    """The map of the decoded JSON string token ``text[start:end]`` back to ``text`` (escapes as units)."""
    import json as _json

    from ..spans import MapBuilder

    b = MapBuilder()
    body_start = start + 1
    raw = text[body_start:end - 1]
    pos = 0
    for m in _JSON_ESCAPE.finditer(raw):
        if m.start() > pos:
            b.copy(raw[pos:m.start()], body_start + pos)
        try:
            ch = _json.loads('"' + m.group() + '"')
        except ValueError:
            ch = m.group()
        b.replace(ch, body_start + m.start(), body_start + m.end())
        pos = m.end()
    if pos < len(raw):
        b.copy(raw[pos:], body_start + pos)
    return b.build()


def _place_strings(msg, text: str, spans: dict, paths: dict) -> None:
    """Point the message's parts and fields at their JSON strings in the payload text."""
    from ..model import Field
    from ..spans import FileIndex, Origin

    file_index = FileIndex(text)
    msg.file = file_index
    for label, candidates in paths.items():
        span = next((spans[p] for p in candidates if p in spans), None)
        if span is None:
            continue
        value, smap = json_string_map(text, *span)
        part = msg.part(label) if label in ("text/html", "text/plain") else None
        if part is not None:
            if value.replace("\r\n", "\n") != part.text:
                continue
            edits = None
            if "\r\n" in value:
                from .mime import _drop_nul_and_cr

                edits = _drop_nul_and_cr(value)[1]
            part.origin = Origin(file_index, edits, smap)
        elif label in ("subject", "from"):
            msg.fields[label] = Field(label, value, origin=Origin(file_index, smap))


def read_mailjet(data, source: str, options=None, skip_foreign: bool = False) -> Iterator:
    """Yield a Message (or InputError) per message of a Send API v3.1 payload, in input order.

    ``skip_foreign``: when walking a directory, valid JSON that is not a Send API payload
    (package.json…) is skipped instead of reported.
    """
    from . import InputError, ReadOptions, _internal, build_message

    options = options or ReadOptions()
    if isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                text = raw.decode("utf-16")
            else:
                text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield InputError(source, f"invalid JSON: not UTF-8 text (byte {exc.start})")
            return
        try:
            payload = json.loads(text)
            payload_text = text
            string_spans = json_string_spans(text) if isinstance(payload, dict) else {}
        except json.JSONDecodeError as exc:
            yield InputError(source, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
            return
        except RecursionError:
            yield InputError(source, "invalid JSON: nested too deeply")
            return
    else:
        payload = data
        payload_text, string_spans = "", {}
    if not isinstance(payload, dict) or "Messages" not in payload:
        if skip_foreign:
            return
        got = "an object without a \"Messages\" key" if isinstance(payload, dict) else _type_name(payload)
        yield InputError(source, f"not a Mailjet Send API v3.1 payload: expected an object with a \"Messages\" "
                                 f"list, got {got}")
        return
    messages = payload["Messages"]
    if not isinstance(messages, list):
        yield InputError(source, f"Messages: expected a list, got {_type_name(messages)}")
        return
    if not messages:
        yield InputError(source, "Messages: empty list, nothing to check")
        return
    globals_ = payload.get("Globals") or {}
    if not isinstance(globals_, dict):
        yield InputError(source, f"Globals: expected an object, got {_type_name(globals_)}")
        return
    sandbox_top = payload.get("SandboxMode", False)
    if not isinstance(sandbox_top, bool):
        yield InputError(source, f"SandboxMode: expected true or false, got {_type_name(sandbox_top)}")
        return

    for i, entry in enumerate(messages):
        where = f"Messages[{i}]"
        try:
            if not isinstance(entry, dict):
                raise ShapeError(f"{where}: expected an object, got {_type_name(entry)}")
            m = _merge(globals_, entry)
            email, name = _contact(m.get("From"), f"{where}.From", True)
            recipients = _contacts(m.get("To"), f"{where}.To") + _contacts(m.get("Cc"), f"{where}.Cc") + \
                _contacts(m.get("Bcc"), f"{where}.Bcc")
            if not recipients:
                raise ShapeError(f"{where}.To: missing (at least one recipient is required in To, Cc or Bcc)")
            reply_to = _contact(m.get("ReplyTo"), f"{where}.ReplyTo", False)
            subject = _optional(m, "Subject", where, str, "a string")
            text = _optional(m, "TextPart", where, str, "a string")
            html = _optional(m, "HTMLPart", where, str, "a string")
            template_id = _template_id(m, where)
            _optional(m, "CustomID", where, str, "a string")
            _optional(m, "Variables", where, dict, "an object")
            _optional(m, "TemplateLanguage", where, bool, "true or false")
            headers = _optional(m, "Headers", where, dict, "an object")
            sandbox = m.get("SandboxMode", sandbox_top)
            if not isinstance(sandbox, bool):
                raise ShapeError(f"{where}.SandboxMode: expected true or false, got {_type_name(sandbox)}")
            header_pairs = []
            for hk, hv in (headers or {}).items():
                if not isinstance(hv, (str, int, float)) or isinstance(hv, bool):
                    raise ShapeError(f"{where}.Headers.{hk}: expected a string, got {_type_name(hv)}")
                header_pairs.append((str(hk), str(hv)))
            if text is None and html is None and template_id is None:
                raise ShapeError(f"{where}: no content: one of TextPart, HTMLPart or TemplateID is required")
            attachments = []
            for key in ("Attachments", "InlinedAttachments"):
                items = _optional(m, key, where, list, "a list")
                for k, att in enumerate(items or []):
                    if not isinstance(att, dict):
                        raise ShapeError(f"{where}.{key}[{k}]: expected an object, got {_type_name(att)}")
                    for req in ("ContentType", "Filename", "Base64Content"):
                        if not isinstance(att.get(req), str):
                            what = "missing" if att.get(req) is None else f"expected a string, got {_type_name(att.get(req))}"
                            raise ShapeError(f"{where}.{key}[{k}].{req}: {what}")
                    size = len(att["Base64Content"].replace("\n", "").replace("\r", "")) * 3 // 4
                    extra = ", inline" if key == "InlinedAttachments" else ""
                    attachments.append(f"{att['Filename']} ({att['ContentType']}, {size} bytes{extra})")
        except ShapeError as exc:
            yield InputError(source, str(exc), index=i)
            continue
        try:
            if subject is None and options.subject is not None:
                subject = options.subject
            sender = _format_sender(email, name)
            msg = build_message(source=source, index=i, input_format=INPUT_MAILJET, headers=header_pairs,
                                subject=subject, sender=sender, text=text, html=html, options=options)
            if reply_to is not None:
                from .mime import parse_address

                _, msg.reply_to, msg.reply_to_domain = parse_address(reply_to[0])
            msg.sandbox = sandbox
            msg.attachments = attachments
            if string_spans:
                _place_strings(msg, payload_text, string_spans, {
                    "text/html": [("Messages", i, "HTMLPart"), ("Globals", "HTMLPart")],
                    "text/plain": [("Messages", i, "TextPart"), ("Globals", "TextPart")],
                    "subject": [("Messages", i, "Subject"), ("Globals", "Subject")],
                    "from": [("Messages", i, "From", "Email"), ("Globals", "From", "Email")]})
            if text is None and html is None:
                msg.problems.append(Problem("remote-template", f"{where}: TemplateID {template_id}: the content "
                                            "lives in Mailjet and was not checked; add HTMLPart/TextPart or "
                                            "check the template file", Location("text/html")))
            yield msg
        except Exception as exc:  # noqa: BLE001 - one broken message must not stop the payload
            yield _internal(source, exc, i)
