"""The server-rendered web app: Jinja2 templates, static files (no CDN), and the page routes."""
