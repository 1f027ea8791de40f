"""A message (text and HTML parts, from templates) and the MIME message it becomes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@dataclass(frozen=True, slots=True)
class Message:
    """What to send to one address: a subject and the same text as plain text and HTML, and
    any headers beside the usual ones (List-Unsubscribe)."""

    to: str
    subject: str
    text: str
    html: str
    headers: Mapping[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _templates() -> Environment:
    # HTML templates escape every value; text templates are plain (nothing renders them).
    return Environment(
        loader=PackageLoader("inkwell.mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(template: str, *, to: str, subject: str, **context: Any) -> Message:
    """A message from `<template>.txt` and `<template>.html` (under mail/templates)."""
    values = {"subject": subject, **context}
    environment = _templates()
    return Message(
        to=to,
        subject=subject,
        text=environment.get_template(f"{template}.txt").render(values),
        html=environment.get_template(f"{template}.html").render(values),
    )


def compose(message: Message, *, sender: str, message_id: str, date: datetime) -> EmailMessage:
    """The MIME message: multipart/alternative, text first, HTML preferred by readers."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(date)
    mime["Message-ID"] = message_id
    mime["Auto-Submitted"] = "auto-generated"
    for name, value in message.headers.items():
        mime[name] = value
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime
