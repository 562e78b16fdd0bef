from django.urls import path

from ..views import opportunities as views

urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/bid/", views.bid, name="bid"),
    path("opportunities/<int:pk>/bid/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("opportunities/<int:pk>/bid/confirm/", views.bid_confirm, name="bid_confirm"),
    path("opportunities/<int:pk>/decline/", views.opportunity_decline, name="opportunity_decline"),
    path("opportunities/<int:pk>/ask/", views.question_ask, name="question_ask"),
]
