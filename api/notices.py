"""The caller's in-app notices (the bell): `GET notices/` (newest first, paginated with `page`
and `page_size`) and `POST notices/<id>/read/`. Only the caller's own notices exist here:
another user's is a 404."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from notifications.models import Notice
from notifications.notices import notice_mark_read, notices_of


class NoticeSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "title", "url", "template", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, notice) -> bool:
        return notice.read_at is not None


class NoticePagination(PageNumberPagination):
    page_size = 30
    page_size_query_param = "page_size"
    max_page_size = 100


class NoticeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's notices, newest first; unread ones have `read_at` null."""

    serializer_class = NoticeSerializer
    pagination_class = NoticePagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Notice.objects.none()
        return notices_of(self.request.user)

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark the notice read (idempotent: the first reading's time is kept)."""
        notice = notice_mark_read(notice=self.get_object())
        return Response(self.get_serializer(notice).data)
