from __future__ import annotations

import re
from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from core.validation import long_text, single_line
from rubrics.models import Ladder, RubricVersion
from rubrics.selectors import version_as_data

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*\Z", "Use letters, digits, '-', '_' or '.'."
)


def many(
    child: serializers.Serializer[Any], *, max_length: int, required: bool = True
) -> serializers.ListSerializer[Any]:
    """A list of ``child`` items with a size cap (oversized lists answer 400)."""
    return serializers.ListSerializer(child=child, max_length=max_length, required=required)


class LadderSerializer(serializers.ModelSerializer[Ladder]):
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Ladder
        fields = ["id", "name", "slug", "description", "current_version"]

    def get_current_version(self, obj: Ladder) -> int | None:
        return getattr(obj, "current_version_id", None)


class LadderInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, validators=[single_line])
    slug = serializers.SlugField(max_length=120)
    description = serializers.CharField(
        max_length=4000, validators=[long_text], allow_blank=True, required=False
    )


class LevelSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=20, validators=[CODE_VALIDATOR])
    title = serializers.CharField(max_length=120, validators=[single_line])
    order = serializers.IntegerField(min_value=0, max_value=10_000)
    summary = serializers.CharField(
        max_length=4000, validators=[long_text], allow_blank=True, required=False, default=""
    )


class CompetencySerializer(serializers.Serializer[Any]):
    key = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=120, validators=[single_line])
    description = serializers.CharField(
        max_length=4000, validators=[long_text], allow_blank=True, required=False, default=""
    )
    # No default: a competency sent without an order keeps its place in the list.
    order = serializers.IntegerField(min_value=0, max_value=10_000, required=False)


class ExpectationSerializer(serializers.Serializer[Any]):
    level = serializers.CharField(max_length=20)
    competency = serializers.CharField(max_length=60)
    text = serializers.CharField(max_length=8000, validators=[long_text])
    examples = serializers.CharField(
        max_length=4000, validators=[long_text], allow_blank=True, required=False, default=""
    )


class RatingSerializer(serializers.Serializer[Any]):
    key = serializers.SlugField(max_length=60)
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=120, validators=[single_line]
    )
    order = serializers.IntegerField(min_value=0, max_value=10_000)
    is_baseline = serializers.BooleanField(required=False, default=False)
    definition = serializers.CharField(
        max_length=4000, validators=[long_text], allow_blank=True, required=False, default=""
    )
    level_definitions = serializers.DictField(
        child=serializers.CharField(max_length=4000, validators=[long_text], allow_blank=True),
        required=False,
        default=dict,
        help_text="What this rating means at each level, keyed by level code.",
    )

    def validate_level_definitions(self, value: dict[str, str]) -> dict[str, str]:
        # DictField checks the values only; the keys are level codes.
        for code in value:
            if len(code) > 20 or not CODE_PATTERN.match(code):
                raise serializers.ValidationError(
                    "Keys are level codes: letters, digits, '-', '_' or '.', 20 at most."
                )
        return value


class RubricVersionSerializer(serializers.ModelSerializer[RubricVersion]):
    """A version with its full contents (the object must be prefetched with contents)."""

    published_by = serializers.CharField(
        source="published_by.username", read_only=True, allow_null=True, default=None
    )
    levels = LevelSerializer(many=True, read_only=True)
    competencies = CompetencySerializer(many=True, read_only=True)
    expectations = ExpectationSerializer(many=True, read_only=True)
    ratings = RatingSerializer(many=True, read_only=True)

    class Meta:
        model = RubricVersion
        fields = [
            "id",
            "ladder",
            "number",
            "status",
            "change_summary",
            "created_at",
            "published_at",
            "published_by",
            "levels",
            "competencies",
            "expectations",
            "ratings",
        ]

    def to_representation(self, instance: RubricVersion) -> dict[str, Any]:
        base = {
            "id": instance.pk,
            "ladder": instance.ladder_id,
            "number": instance.number,
            "status": instance.status,
            "change_summary": instance.change_summary,
            "created_at": serializers.DateTimeField().to_representation(instance.created_at),
            "published_at": (
                serializers.DateTimeField().to_representation(instance.published_at)
                if instance.published_at
                else None
            ),
            "published_by": instance.published_by.username if instance.published_by else None,
        }
        return {**base, **version_as_data(instance)}


class RubricVersionCreateSerializer(serializers.Serializer[Any]):
    """Either the nested lists (a new draft), or ``from_version`` to copy one."""

    ladder = serializers.PrimaryKeyRelatedField(queryset=Ladder.objects.all())
    from_version = serializers.PrimaryKeyRelatedField(
        queryset=RubricVersion.objects.all(), required=False, allow_null=True
    )
    change_summary = serializers.CharField(
        max_length=4000, validators=[long_text], allow_blank=True, required=False
    )
    levels = many(LevelSerializer(), max_length=50, required=False)
    competencies = many(CompetencySerializer(), max_length=100, required=False)
    expectations = many(ExpectationSerializer(), max_length=5000, required=False)
    ratings = many(RatingSerializer(), max_length=20, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        lists = [k for k in ("levels", "competencies", "expectations", "ratings") if k in attrs]
        if "from_version" in attrs and lists:
            raise serializers.ValidationError(
                "Send either from_version (to copy a version) or the lists, not both."
            )
        return attrs


class RubricVersionUpdateSerializer(serializers.Serializer[Any]):
    change_summary = serializers.CharField(
        max_length=4000, validators=[long_text], allow_blank=True, required=False
    )
    levels = many(LevelSerializer(), max_length=50, required=False)
    competencies = many(CompetencySerializer(), max_length=100, required=False)
    expectations = many(ExpectationSerializer(), max_length=5000, required=False)
    ratings = many(RatingSerializer(), max_length=20, required=False)


class RubricVersionPutSerializer(RubricVersionUpdateSerializer):
    levels = many(LevelSerializer(), max_length=50)
    competencies = many(CompetencySerializer(), max_length=100)
    expectations = many(ExpectationSerializer(), max_length=5000)
    ratings = many(RatingSerializer(), max_length=20)


class PublishSerializer(serializers.Serializer[Any]):
    change_summary = serializers.CharField(
        max_length=4000, validators=[long_text], allow_blank=True, required=False
    )


class DiffItemsSerializer(serializers.Serializer[Any]):
    added = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.DictField())
    changed = serializers.ListField(child=serializers.DictField())


class DiffSerializer(serializers.Serializer[Any]):
    """What changed from version ``against`` (``from``) to this version (``to``)."""

    is_empty = serializers.BooleanField()
    levels = DiffItemsSerializer()
    competencies = DiffItemsSerializer()
    expectations = DiffItemsSerializer()
    ratings = DiffItemsSerializer()


class RubricVersionImportSerializer(serializers.Serializer[Any]):
    """``POST rubric-versions/import/`` (multipart): the file and the ladder it becomes a
    new draft of. What the file must hold is checked by ``rubrics.exchange``."""

    file = serializers.FileField(
        # Empty files are refused by the import with the same message the page shows.
        allow_empty_file=True,
        help_text="A YAML (.yaml, .yml) or CSV (.csv) export, UTF-8, at most 2 MB.",
    )
    ladder = serializers.PrimaryKeyRelatedField(queryset=Ladder.objects.all())
