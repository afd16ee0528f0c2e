"""Migration operations that build indexes without locking a large table where the database can.

On PostgreSQL an index on a table of a million rows is created ``CONCURRENTLY`` (writes go on meanwhile;
the migration must say ``atomic = False``); SQLite builds it the ordinary way. Trigram indexes and the
``pg_trgm`` extension exist only on PostgreSQL, so there these operations do nothing on SQLite.
"""

from __future__ import annotations

from django.contrib.postgres.operations import AddIndexConcurrently, TrigramExtension
from django.db.migrations.operations import AddIndex, RunSQL


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexWithoutLocking(AddIndex):
    """``AddIndex`` that is ``CREATE INDEX CONCURRENTLY`` on PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            AddIndexConcurrently(self.model_name, self.index).database_forwards(
                app_label, schema_editor, from_state, to_state
            )
        else:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            AddIndexConcurrently(self.model_name, self.index).database_backwards(
                app_label, schema_editor, from_state, to_state
            )
        else:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class TrigramExtensionOnPostgres(TrigramExtension):
    """``CREATE EXTENSION pg_trgm`` on PostgreSQL; nothing elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class RunSQLOnPostgres(RunSQL):
    """SQL only PostgreSQL understands (a trigram GIN index); nothing on SQLite. Concurrent index builds need
    the migration to say ``atomic = False``."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
