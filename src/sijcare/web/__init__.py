"""The web application: routes, templates and view models over the services."""
