"""The ways in: the service, the app, API, page, /admin, MCP, Dify."""
