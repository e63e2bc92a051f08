"""Turn a rule's YAML example into an analysed Message (for the test suite and `rules show`).

An example is a string, read in the rule's first scope (a subject for subject rules, a From address
for sender rules, an HTML document for HTML/link/image rules, a body text otherwise), or a mapping with
any of ``subject``, ``from``, ``reply_to``, ``preheader``, ``text``, ``html``, ``headers`` (mapping or list
of pairs: presence means the message has headers), ``eml`` (a whole raw message), ``lang``, ``kind``,
``problems`` (reader problems ``[{code, message}]``, for input rules) and ``repeat`` (repeat ``html``/``text``
N times, for size rules).
"""
from __future__ import annotations

import html as _html
from typing import Any

from contentlint.model import INPUT_EML, INPUT_HTML, INPUT_TEXT, Message, Problem

from .rule import Rule

_HTML_SCOPES = ("html", "anchor-text", "links", "images")
_BODY_SCOPES = ("body", "text-part")


def example_kind(rule: Rule, example: Any) -> str:
    if isinstance(example, dict) and example.get("kind"):
        return example["kind"]
    return "marketing" if "marketing" in rule.kinds else rule.kinds[0]


def _as_mapping(rule: Rule, example: Any) -> dict:
    if isinstance(example, dict):
        return dict(example)
    scope = rule.scope[0] if rule.scope else "body"
    if scope == "subject":
        return {"subject": example, "text": "Hello,\n\nthank you for reading.\n"}
    if scope == "preheader":
        return {"preheader": example, "html": "<p>Hello, thank you for reading.</p>"}
    if scope in ("from", "reply-to"):
        return {"from" if scope == "from" else "reply_to": example, "subject": "Hello",
                "text": "Hello,\n\nthank you for reading.\n"}
    if scope in _HTML_SCOPES:
        return {"html": example}
    if scope in _BODY_SCOPES:
        return {"text": example}
    return {"text": example}


def build_example(rule: Rule, example: Any) -> Message:
    """The Message an example describes (uses contentlint.readers.build_message / read_bytes)."""
    from contentlint.readers import ReadOptions, build_message, read_bytes

    ex = _as_mapping(rule, example)
    options = ReadOptions(lang=ex.get("lang"))
    if "eml" in ex:
        result = next(iter(read_bytes(ex["eml"].encode("utf-8"), source=f"<example {rule.id}>",
                                      options=options, hint_ext=".eml")))
        if not isinstance(result, Message):
            raise ValueError(f"example of {rule.id} is not a readable message: {result}")
        msg = result
    else:
        text, html = ex.get("text"), ex.get("html")
        repeat = int(ex.get("repeat", 1) or 1)
        if repeat > 1:
            text = text * repeat if text is not None else None
            html = html * repeat if html is not None else None
        if ex.get("preheader") is not None:
            hidden = ('<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">'
                      f'{_html.escape(ex["preheader"])}</div>')
            html = hidden + (html if html is not None else "<p>" + _html.escape(text or "Hello.") + "</p>")
        headers = ex.get("headers")
        if headers is not None:
            headers = list(headers.items()) if isinstance(headers, dict) else [tuple(h) for h in headers]
            if ex.get("reply_to") and not any(k.lower() == "reply-to" for k, _ in headers):
                headers.append(("Reply-To", ex["reply_to"]))
        if html is not None:
            kind = INPUT_HTML
        else:
            kind = INPUT_TEXT
        if headers is not None:
            kind = INPUT_EML
        msg = build_message(source=f"<example {rule.id}>", input_format=kind, headers=headers,
                            subject=ex.get("subject"), sender=ex.get("from"), text=text, html=html,
                            options=options)
        if headers is None and ex.get("reply_to"):
            msg.reply_to = ex["reply_to"]
            msg.reply_to_domain = ex["reply_to"].rpartition("@")[2].lower() or None
    for p in ex.get("problems") or []:
        msg.problems.append(Problem(str(p.get("code", "")), str(p.get("message", ""))))
    if msg.input_format != INPUT_EML and "headers" not in ex and "eml" not in ex:
        msg.has_headers = False
    return msg


def run_example(ruleset, rule: Rule, example: Any):
    """Findings of ``rule`` on the example (empty list: the rule stays silent)."""
    msg = build_example(rule, example)
    return [f for f in ruleset.check(msg, example_kind(rule, example)) if f.rule == rule.id]
