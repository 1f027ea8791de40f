"""Sending e-mail: messages from templates, stored and sent by the `send_email` job."""
