"""Errors of imports and exports."""

from __future__ import annotations

from inkwell.core.errors import DomainError, NotFound


class ImportFileInvalid(DomainError):
    """The file is not a readable export of the format named (or is hostile XML)."""

    status_code, code, title = 422, "import_file_invalid", "The file cannot be imported"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors=[{"field": "file", "message": detail, "type": "invalid"}])


class ImportFileTooLarge(DomainError):
    status_code, code, title = 413, "import_file_too_large", "The file is too large to import"


class ImportNotFound(NotFound):
    code, title = "import_not_found", "Import not found"


class ExportNotFound(NotFound):
    code, title = "export_not_found", "Export not found"


class ExportNotReady(DomainError):
    status_code, code, title = 409, "export_not_ready", "The export's archive is not ready"
