"""Each membership keeps copies of its programme's office, its person's name and its group's name, with the
indexes that let the member lists filter and sort on the membership row alone."""

import django.db.models.deletion
from django.db import migrations, models

from tunas.core.migration_ops import AddIndexWithoutLocking, RunSQLOnPostgres


def copy_existing(apps, schema_editor):
    # One set-based statement (the tables as they are at this migration, not today's code): seconds for a
    # million registrations. PostgreSQL and SQLite 3.33+ both take UPDATE … FROM.
    qn = schema_editor.connection.ops.quote_name
    member = qn(apps.get_model("registry", "Membership")._meta.db_table)
    person = qn(apps.get_model("registry", "Person")._meta.db_table)
    group = qn(apps.get_model("registry", "Group")._meta.db_table)
    program = qn(apps.get_model("programs", "Program")._meta.db_table)
    schema_editor.execute(
        f"UPDATE {member} AS m SET office_id = pr.office_id, person_name = p.full_name, group_name = g.name "  # noqa: S608 - table names only
        f"FROM {person} p, {group} g, {program} pr "
        "WHERE p.id = m.person_id AND g.id = m.group_id AND pr.id = m.program_id"
    )


class Migration(migrations.Migration):
    # Indexes on the large table are built CONCURRENTLY on PostgreSQL, which cannot run in a transaction.
    atomic = False

    dependencies = [
        ("accounts", "0003_office_letterhead"),
        ("programs", "0004_ledger"),
        ("registry", "0005_counts_and_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="office",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.office",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="person_name",
            field=models.CharField(blank=True, editable=False, max_length=150),
        ),
        migrations.AddField(
            model_name="membership",
            name="group_name",
            field=models.CharField(blank=True, editable=False, max_length=150),
        ),
        migrations.RunPython(copy_existing, migrations.RunPython.noop, atomic=True),
        AddIndexWithoutLocking(
            model_name="membership",
            index=models.Index(fields=["person_name", "id"], name="membership_sort_name"),
        ),
        AddIndexWithoutLocking(
            model_name="membership",
            index=models.Index(fields=["office", "person_name", "id"], name="membership_office_name"),
        ),
        AddIndexWithoutLocking(
            model_name="membership",
            index=models.Index(fields=["program", "person_name", "id"], name="membership_program_name"),
        ),
        AddIndexWithoutLocking(
            model_name="membership",
            index=models.Index(
                fields=["program", "group_name", "group", "person_name", "id"],
                name="membership_program_group",
            ),
        ),
        # A programme belongs to one office: told so, the planner estimates "this programme, inside these
        # offices" as the programme's rows (not a thousandth of them) and seeks membership_program_group.
        RunSQLOnPostgres(
            "CREATE STATISTICS IF NOT EXISTS membership_program_office (dependencies) "
            "ON program_id, office_id FROM registry_membership",
            "DROP STATISTICS IF EXISTS membership_program_office",
        ),
    ]
