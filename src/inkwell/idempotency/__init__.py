"""Idempotency keys on creating writes: a retried request answers the first answer and writes
nothing again (docs/architecture.md, "Idempotency keys")."""
