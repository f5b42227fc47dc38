from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.cache import caches
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from core.page_cache import CachedReadsMixin
from org import accounts, people_import, selectors, services
from org.filters import PersonFilter, TeamFilter
from org.models import DemographicDimension, Person, Team
from org.permissions import IsHR, IsHROrReadOnly
from org.serializers import (
    DemographicDimensionSerializer,
    DemographicsSerializer,
    InvitationSentSerializer,
    PeopleImportErrorSerializer,
    PeopleImportInputSerializer,
    PeopleImportResultSerializer,
    PersonInputSerializer,
    PersonSerializer,
    TeamInputSerializer,
    TeamSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    WhoAmISerializer,
)
from org.types import signed_in


class LoginThrottle(AnonRateThrottle):
    scope = "login"

    @property
    def cache(self) -> Any:  # type: ignore[override]
        # Counted in the cache every web process shares (settings: CACHES["shared"]), not
        # in each worker's own memory, where N workers would allow N times the rate.
        return caches["shared"]


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <key>`)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed("Unable to sign in with those credentials.")
        if not accounts.password_sign_in_allowed(user):
            raise AuthenticationFailed("Password sign-in is turned off: use company sign-in.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class WhoAmIView(APIView):
    """The caller's own login: lets a script check its token before it does any work.

    Deliberately small (one row, no person record, no role look-ups): it is also the floor
    `make bench` measures the request path against.
    """

    @extend_schema(responses=WhoAmISerializer)
    def get(self, request: Request) -> Response:
        user = signed_in(request.user)
        return Response({"id": user.pk, "username": user.get_username()})


class TeamViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Team],
):
    serializer_class = TeamSerializer
    permission_classes = [IsHROrReadOnly]
    filterset_class = TeamFilter

    def get_queryset(self) -> Any:
        return selectors.team_list(user=self.request.user)

    @extend_schema(request=TeamInputSerializer, responses={201: TeamSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TeamInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        team = services.team_create(actor=signed_in(request.user), **data.validated_data)
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TeamInputSerializer, responses=TeamSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        team = self.get_object()
        data = TeamInputSerializer(
            data=request.data, partial=kwargs.get("partial", False), context={"request": request}
        )
        data.is_valid(raise_exception=True)
        team = services.team_update(actor=signed_in(request.user), team=team, **data.validated_data)
        return Response(TeamSerializer(team).data)


class PersonViewSet(
    CachedReadsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Person],
):
    serializer_class = PersonSerializer
    permission_classes = [IsHROrReadOnly]
    filterset_class = PersonFilter

    def get_queryset(self) -> Any:
        return selectors.person_list(user=self.request.user)

    def _out(self, person: Person) -> dict[str, Any]:
        return PersonSerializer(selectors.person_get(user=self.request.user, pk=person.pk)).data

    @extend_schema(request=PersonInputSerializer, responses={201: PersonSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PersonInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        person = services.person_create(actor=signed_in(request.user), **data.validated_data)
        return Response(self._out(person), status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonInputSerializer, responses=PersonSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        data = PersonInputSerializer(
            data=request.data, partial=kwargs.get("partial", False), context={"request": request}
        )
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "username" in changes and changes["username"] != person.user.username:
            return Response(
                {"username": ["The username cannot be changed."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        person = services.person_update(actor=signed_in(request.user), person=person, **changes)
        return Response(self._out(person))

    @extend_schema(
        request=None,
        responses={200: InvitationSentSerializer},
        summary="Email the person a link to set their password (HR; 72 hours, single use)",
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        person = self.get_object()
        accounts.invitation_send(
            actor=signed_in(request.user), person=person, site=accounts.site_url(request)
        )
        return Response({"detail": "Invitation sent.", "email": person.email})

    @extend_schema(
        request={"multipart/form-data": PeopleImportInputSerializer},
        responses={200: PeopleImportResultSerializer, 400: PeopleImportErrorSerializer},
        summary="Create and update people from an HRIS export, all or nothing (HR)",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        permission_classes=[IsHR],
        filterset_class=None,
        pagination_class=None,
    )
    def people_import(self, request: Request) -> Response:
        """SPEC §10.4. A dry run (the default) and a real run both answer 200 with the
        same body; any bad row answers 400 and nothing is written."""
        data = PeopleImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > people_import.MAX_BYTES:
            # Refused before reading it into memory.
            return Response(
                {"file": ["The file is larger than 5 MB."]}, status=status.HTTP_400_BAD_REQUEST
            )
        try:
            result = people_import.people_import(
                actor=signed_in(request.user),
                data=upload.read(),
                filename=upload.name or "",
                dry_run=data.validated_data["dry_run"],
            )
        except people_import.PeopleImportError as exc:
            return Response(exc.body, status=status.HTTP_400_BAD_REQUEST)
        return Response(result)

    @extend_schema(request=DemographicsSerializer, responses=DemographicsSerializer)
    @action(
        detail=True,
        methods=["get", "put"],
        permission_classes=[IsAuthenticated],
        filterset_class=None,
        pagination_class=None,
    )
    def demographics(self, request: Request, pk: str | None = None) -> Response:
        """Self-identified answers: readable and writable by the person and HR only."""
        person = selectors.demographics_person_get(user=request.user, pk=pk)
        if request.method == "PUT":
            data = DemographicsSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.demographics_set(
                actor=signed_in(request.user),
                person=person,
                attributes=data.validated_data["attributes"],
            )
        return Response({"attributes": selectors.demographics_for(person)})


class DemographicDimensionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[DemographicDimension],
):
    """Dimension keys and allowed values are readable by everyone (to answer them);
    only HR writes. "prefer not to say" is always accepted."""

    serializer_class = DemographicDimensionSerializer
    permission_classes = [IsHROrReadOnly]

    def get_queryset(self) -> Any:
        return selectors.dimension_list()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.dimension_save(
            actor=signed_in(self.request.user), **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.dimension_save(
            actor=signed_in(self.request.user),
            dimension=serializer.instance,
            **serializer.validated_data,
        )
