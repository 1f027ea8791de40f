"""Accounts: profiles, self-service changes and administration."""
