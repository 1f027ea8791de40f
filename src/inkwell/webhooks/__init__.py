"""Webhooks: endpoints admins register, and signed deliveries of events to them."""
