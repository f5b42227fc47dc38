"""Load the review quality check phrase lists (reviews/lint_data/*.json) into LintTerm.

The files are read when the migration runs, so a fresh install gets the lists as shipped;
after that HR edits them in the admin. Existing (code, phrase) rows are left as they are,
and the reverse step deletes nothing: HR's edits are data, not schema.
"""

import json
from pathlib import Path

from django.db import migrations

LINT_DATA_DIR = Path(__file__).resolve().parent.parent / "lint_data"


def load_terms(apps, schema_editor):
    LintTerm = apps.get_model("reviews", "LintTerm")
    for path in sorted(LINT_DATA_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for term in data["terms"]:
            LintTerm.objects.get_or_create(
                code=data["code"],
                phrase=term["phrase"],
                defaults={"source": data["source"], "suggestion": term.get("suggestion", "")},
            )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(load_terms, migrations.RunPython.noop)]
