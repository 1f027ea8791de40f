"""Where import uploads and export archives are kept: the media storage's interface, over
their own directory (local) or under `exports/` in the media bucket (S3). Names carry a
random part, so none can be guessed."""

from __future__ import annotations

import secrets
import uuid

from inkwell.core.config import Settings
from inkwell.media.storage import LocalStorage, S3Storage, Storage

S3_PREFIX = "exports/"


def archive_storage(settings: Settings) -> Storage:
    if settings.media_storage == "s3":
        return S3Storage(settings)
    return LocalStorage(settings.export_root)


def _name(settings: Settings, stem: str) -> str:
    prefix = S3_PREFIX if settings.media_storage == "s3" else ""
    return f"{prefix}{stem}-{secrets.token_hex(16)}"


def upload_name(settings: Settings, import_id: uuid.UUID) -> str:
    return _name(settings, f"import-{import_id}")


def archive_name(settings: Settings, export_id: uuid.UUID) -> str:
    return _name(settings, f"export-{export_id}") + ".zip"
