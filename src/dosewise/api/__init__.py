"""The HTTP API (``/api/v1``) and the web pages, served by one FastAPI application."""

from dosewise.api.app import create_app

__all__ = ["create_app"]
