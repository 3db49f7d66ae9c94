"""Server-rendered pages on the same services as the API (see setup.configure_pages)."""
