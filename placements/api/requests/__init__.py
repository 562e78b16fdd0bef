"""The borough's requests, from draft to award: views and their serializers."""
