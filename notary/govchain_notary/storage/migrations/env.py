"""Alembic environment: always run programmatically with a connection handed in.

``govchain_notary.storage.engine.migrate`` passes the connection through
``config.attributes["connection"]``; there is no ``alembic.ini`` to keep in sync.
"""

from __future__ import annotations

from alembic import context

from govchain_notary.storage.models import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
