"""What admins see of the running system: the outbox now (docs/events.md)."""
