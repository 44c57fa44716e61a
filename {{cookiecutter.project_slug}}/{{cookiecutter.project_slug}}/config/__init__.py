"""Django project configuration: settings per environment, URLs, ASGI/WSGI."""
