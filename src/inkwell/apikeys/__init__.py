"""API keys (personal access tokens): create, list and revoke one's own (docs/api-keys.md)."""
