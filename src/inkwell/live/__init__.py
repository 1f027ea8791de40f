"""Live updates over WebSockets and Server-Sent Events (docs/live.md)."""
