"""Tests of the web surface: the SPARQL endpoint (in process and live)."""
