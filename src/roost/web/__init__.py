"""The web page: server-rendered screens over the same services as the API."""
