from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from core.fields import ScopedPrimaryKeyField
from core.validation import long_text, single_line
from org import selectors
from org.models import DemographicDimension, Person, Team

USERNAME_VALIDATOR = RegexValidator(r"^[\w.@+-]+\Z", "Letters, digits and @/./+/-/_ only.")


def person_field(*, directory: bool = False, **kwargs: Any) -> Any:
    """A person id in an input body: someone the caller may see and who is active, or,
    with ``directory``, anyone active (whom to ask for feedback)."""
    selector = selectors.person_directory if directory else selectors.person_choices
    return ScopedPrimaryKeyField(
        model=Person, selector=selector, message="No such person.", **kwargs
    )


def team_field(**kwargs: Any) -> Any:
    return ScopedPrimaryKeyField(
        model=Team, selector=selectors.team_list, message="No such team.", **kwargs
    )


def ladder_field(**kwargs: Any) -> Any:
    # Ladders are rubrics' to list; org asks through a hook (rubrics.apps answers).
    return ScopedPrimaryKeyField(
        model=selectors.ladder_model(),
        selector=selectors.ladder_choices,
        message="No such ladder.",
        **kwargs,
    )


class TeamSerializer(serializers.ModelSerializer[Team]):
    class Meta:
        model = Team
        fields = ["id", "name", "slug", "parent", "description"]


class TeamInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, validators=[single_line])
    slug = serializers.SlugField(max_length=120)
    parent = team_field(allow_null=True, required=False)
    description = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, validators=[long_text]
    )


class PersonSerializer(serializers.ModelSerializer[Person]):
    username = serializers.CharField(source="user.username", read_only=True)
    manager = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    is_hr = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "team",
            "function",
            "manager",
            "ladder",
            "level",
            "is_hr",
            "is_active",
            "employee_id",
            "start_date",
            "location",
        ]

    def get_is_hr(self, obj: Person) -> bool:
        return bool(getattr(obj, "user_is_hr", False))

    def to_representation(self, instance: Person) -> dict[str, Any]:
        # The selector decided what of this person the asker may see (SPEC §3).
        data = super().to_representation(instance)
        shown = selectors.person_fields(instance)
        return {k: v for k, v in data.items() if shown is None or k in shown}


class PersonSerializerSchema(OpenApiSerializerExtension):
    """In the schema, only the fields every reader gets are required; the rest appear
    for the person themself, their chain and HR (and ``level`` for a committee)."""

    target_class = PersonSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["required"] = [
            f for f in schema.get("required", []) if f in selectors.PERSON_BASIC_FIELDS
        ]
        return schema


class PersonInputSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150, validators=[USERNAME_VALIDATOR])
    full_name = serializers.CharField(max_length=200, validators=[single_line])
    email = serializers.EmailField(max_length=254, allow_blank=True, required=False)
    team = team_field(allow_null=True, required=False)
    function = serializers.CharField(
        max_length=100, allow_blank=True, required=False, validators=[single_line]
    )
    manager = person_field(allow_null=True, required=False)
    ladder = ladder_field(allow_null=True, required=False)
    level = serializers.CharField(max_length=20, allow_blank=True, required=False)
    is_hr = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    employee_id = serializers.CharField(
        max_length=64, allow_blank=True, required=False, validators=[single_line]
    )
    start_date = serializers.DateField(allow_null=True, required=False)
    location = serializers.CharField(
        max_length=120, allow_blank=True, required=False, validators=[single_line]
    )


class DemographicsSerializer(serializers.Serializer[Any]):
    attributes = serializers.DictField(
        child=serializers.CharField(
            max_length=120, allow_null=True, allow_blank=True, validators=[single_line]
        )
    )


class DemographicDimensionSerializer(serializers.ModelSerializer[DemographicDimension]):
    values = serializers.ListField(
        child=serializers.CharField(max_length=120, validators=[single_line]),
        min_length=1,
        max_length=100,
    )

    class Meta:
        model = DemographicDimension
        fields = ["id", "key", "label", "values", "order"]
        extra_kwargs: dict[str, dict[str, Any]] = {
            "key": {"validators": []},
            "label": {"validators": [single_line]},
        }


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()


class WhoAmISerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="The login's id.")
    username = serializers.CharField()


class InvitationSentSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    email = serializers.EmailField(help_text="Where the invitation went.")


class PeopleImportInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, at most 5 MB and 20,000 rows.")
    dry_run = serializers.BooleanField(
        default=True, help_text="Check and preview only (the default); false writes."
    )


class PeopleImportChangeSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="The row's line in the file (header = 1).")
    email = serializers.EmailField()
    action = serializers.ChoiceField(choices=["create", "update", "deactivate", "unchanged"])
    # The SPEC names this key "fields"; the metaclass takes it off the class, so the
    # serializer's own ``fields`` property is untouched (mypy cannot see that).
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        help_text="Changed fields only: {field: [old, new]}.",
    )


class PeopleImportResultSerializer(serializers.Serializer[Any]):
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    deactivated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    changes = PeopleImportChangeSerializer(many=True)


class PeopleImportErrorSerializer(serializers.Serializer[Any]):
    rows = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        required=False,
        help_text='{"<line>": {"<column>": ["message"]}}; line 1 is the header.',
    )
    file = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="A file that cannot be read."
    )
