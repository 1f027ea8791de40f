"""The RealWorld (Conduit) API under /api: a second transport over Inkwell's services."""
