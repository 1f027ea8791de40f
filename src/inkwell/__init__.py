"""Inkwell: a multi-author blogging platform backend."""

__version__ = "0.1.0"
