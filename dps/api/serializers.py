from rest_framework import serializers

from ..models import AuditEvent, Membership, Organisation
from ..models.people import Role


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "kind", "name", "slug", "consortium", "is_active"]


class MeSerializer(serializers.Serializer):
    organisation = OrganisationSerializer()
    role = serializers.CharField()
    user_email = serializers.EmailField(allow_null=True)
    api_client = serializers.CharField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField())


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "is_org_admin", "is_active", "created_at"]


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    is_org_admin = serializers.BooleanField(default=False)


class InvitationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.CharField()
    is_org_admin = serializers.BooleanField()
    expires_at = serializers.DateTimeField()


class AuditEventSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_label",
            "organisation",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "ip_address",
            "detail",
        ]
