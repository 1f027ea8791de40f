"""Cross-cutting infrastructure: settings, database, errors, security, logging."""
