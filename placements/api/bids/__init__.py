"""The provider's invitations ("opportunities"), questions and bids: views and their
serializers."""
