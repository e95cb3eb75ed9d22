"""Persistence: sqlmodel tables, Alembic migrations, repositories and their fakes.

``repos`` holds the small interfaces the use cases depend on, ``sql`` the SQL
adapters (SQLite in WAL mode or PostgreSQL), ``memory`` the in-memory fakes.
"""
