"""Domain events: the CloudEvents envelope, the catalogue of types, and the outbox."""
