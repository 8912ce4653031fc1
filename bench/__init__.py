"""The load benchmark behind `make bench` (see docs/PERFORMANCE.md).

Seeds a throw-away database, serves it with gunicorn in production settings, drives each key
page with wrk and prints one table. Nothing here is imported by the application.
"""
