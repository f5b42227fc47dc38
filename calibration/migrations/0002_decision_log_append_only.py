"""The decision log is append-only in the database too: raw UPDATE and DELETE fail."""

from django.db import migrations

MESSAGE = "immutable: the calibration decision log is append-only"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER calibration_decisionlog_no_{op.lower()} BEFORE {op} "
                f"ON calibration_decisionlog BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
            )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION calibration_refuse_log_change() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER calibration_decisionlog_append_only BEFORE UPDATE OR DELETE "
            "ON calibration_decisionlog FOR EACH ROW "
            "EXECUTE FUNCTION calibration_refuse_log_change();"
        )
    else:  # pragma: no cover
        raise RuntimeError(f"No append-only trigger for database '{vendor}'.")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS calibration_decisionlog_no_{op}")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS calibration_decisionlog_append_only "
            "ON calibration_decisionlog"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS calibration_refuse_log_change()")


class Migration(migrations.Migration):
    dependencies = [("calibration", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
