# Trigram indexes for the catalogue's word search (selectors.search), as the registry has for its names.

from django.db import migrations

from tunas.core.migration_ops import RunSQLOnPostgres

FIELDS = ("name", "description_id", "description_en")


class Migration(migrations.Migration):
    # Built CONCURRENTLY on PostgreSQL (the shop window stays open meanwhile), which needs no transaction.
    atomic = False

    dependencies = [
        ("catalog", "0001_initial"),
        # pg_trgm is created there.
        ("registry", "0005_counts_and_list_indexes"),
    ]

    operations = [
        RunSQLOnPostgres(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS product_{field}_trgm ON catalog_product "
            f"USING gin ((LOWER({field})) gin_trgm_ops)",
            f"DROP INDEX CONCURRENTLY IF EXISTS product_{field}_trgm",
        )
        for field in FIELDS
    ]
