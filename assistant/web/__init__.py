"""The chat web page: static HTML, CSS and vanilla JavaScript in ``static/``, served by ``api.routes.web``."""
