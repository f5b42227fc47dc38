"""Database triggers that refuse changes to published and retired rubric versions.

The services already refuse such writes; these triggers are the last line of defence
against raw SQL, bulk updates and future code that forgets. The only change allowed to
a frozen version row is its status moving from published to retired.
"""

from django.db import migrations

MESSAGE = "immutable: published rubric versions cannot change"
CHILD_TABLES = [
    "rubrics_level",
    "rubrics_competency",
    "rubrics_expectation",
    "rubrics_rating",
    "rubrics_ratingdefinition",
]
VERSION_COLUMNS = [
    "ladder_id", "number", "change_summary", "created_by_id", "created_at",
    "published_by_id", "published_at",
]

SQLITE_VERSION = [
    f"""
    CREATE TRIGGER rubrics_version_frozen_update BEFORE UPDATE ON rubrics_rubricversion
    WHEN OLD.status <> 'draft' AND (
        {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in VERSION_COLUMNS)}
        OR (NEW.status IS NOT OLD.status
            AND NOT (OLD.status = 'published' AND NEW.status = 'retired'))
    )
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER rubrics_version_frozen_delete BEFORE DELETE ON rubrics_rubricversion
    WHEN OLD.status <> 'draft'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]


def _sqlite_child(table: str) -> list[str]:
    frozen = "(SELECT status FROM rubrics_rubricversion WHERE id = {row}.version_id) <> 'draft'"
    return [
        f"""CREATE TRIGGER {table}_frozen_insert BEFORE INSERT ON {table}
        WHEN {frozen.format(row="NEW")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
        f"""CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table}
        WHEN {frozen.format(row="OLD")} OR {frozen.format(row="NEW")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
        f"""CREATE TRIGGER {table}_frozen_delete BEFORE DELETE ON {table}
        WHEN {frozen.format(row="OLD")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    ]


POSTGRES_FUNCTIONS = [
    f"""
    CREATE OR REPLACE FUNCTION rubrics_refuse_frozen_version() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status <> 'draft' THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
            RETURN OLD;
        END IF;
        IF OLD.status <> 'draft' AND (
            {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in VERSION_COLUMNS)}
            OR (NEW.status IS DISTINCT FROM OLD.status
                AND NOT (OLD.status = 'published' AND NEW.status = 'retired'))
        ) THEN
            RAISE EXCEPTION '{MESSAGE}';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE OR REPLACE FUNCTION rubrics_refuse_frozen_child() RETURNS trigger AS $$
    DECLARE s text;
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT status INTO s FROM rubrics_rubricversion WHERE id = OLD.version_id;
            IF s IS NOT NULL AND s <> 'draft' THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT status INTO s FROM rubrics_rubricversion WHERE id = NEW.version_id;
            IF s IS NOT NULL AND s <> 'draft' THEN RAISE EXCEPTION '{MESSAGE}'; END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """CREATE TRIGGER rubrics_version_frozen BEFORE UPDATE OR DELETE ON rubrics_rubricversion
    FOR EACH ROW EXECUTE FUNCTION rubrics_refuse_frozen_version();""",
] + [
    f"""CREATE TRIGGER {t}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION rubrics_refuse_frozen_child();"""
    for t in CHILD_TABLES
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = SQLITE_VERSION + [s for t in CHILD_TABLES for s in _sqlite_child(t)]
    elif vendor == "postgresql":
        statements = POSTGRES_FUNCTIONS
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"No immutability triggers for database '{vendor}'.")
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        names = ["rubrics_version_frozen_update", "rubrics_version_frozen_delete"] + [
            f"{t}_frozen_{op}" for t in CHILD_TABLES for op in ("insert", "update", "delete")
        ]
        for name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS rubrics_version_frozen ON rubrics_rubricversion"
        )
        for t in CHILD_TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_frozen ON {t}")
        schema_editor.execute("DROP FUNCTION IF EXISTS rubrics_refuse_frozen_version()")
        schema_editor.execute("DROP FUNCTION IF EXISTS rubrics_refuse_frozen_child()")


class Migration(migrations.Migration):
    dependencies = [("rubrics", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
