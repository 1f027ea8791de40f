"""Sending one MIME message: over SMTP (aiosmtplib), or into a folder when no SMTP host is set."""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from inkwell.core.config import Settings

log = logging.getLogger("inkwell.mail")


def _write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


class Mailer:
    """Sends messages the way the settings say: SMTP with a host, else .eml files."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def folder(self) -> Path:
        """Where messages go without an SMTP host (development)."""
        return self.settings.data_dir / "mail"

    async def send(self, message: EmailMessage) -> None:
        """Send one message; raises aiosmtplib's errors (or OSError) when it could not."""
        if self.settings.smtp_host is None:
            await self._write(message)
            return
        await self._smtp(message, self.settings.smtp_host)

    async def _smtp(self, message: EmailMessage, host: str) -> None:
        settings = self.settings
        password = settings.smtp_password
        await aiosmtplib.send(
            message,
            hostname=host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password.get_secret_value() if password else None,
            use_tls=settings.smtp_tls == "tls",
            start_tls=settings.smtp_tls == "starttls",
            timeout=settings.smtp_timeout_seconds,
        )

    async def _write(self, message: EmailMessage) -> None:
        name = str(message["Message-ID"]).strip("<>").replace("/", "_") + ".eml"
        path = await asyncio.to_thread(_write, self.folder, name, message.as_bytes())
        # Only development writes files: the path, not the links inside, is logged.
        log.info("mail written to %s (no SMTP host set)", path)
