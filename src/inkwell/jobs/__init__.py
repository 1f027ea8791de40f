"""Background jobs on PostgreSQL (procrastinate): scheduled publishing and pruning."""
