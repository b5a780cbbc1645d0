"""Blueprints: each route parses the request, makes one call and renders through the format registry."""
