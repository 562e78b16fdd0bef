from django.urls import path

from ..views import lots, placements, requests, shortlist

urlpatterns = [
    path("requests/", requests.request_list, name="request_list"),
    path("requests/new/", requests.request_create, name="request_create"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", requests.request_edit, name="request_edit"),
    path("requests/<int:pk>/publish/", requests.request_publish, name="request_publish"),
    path("requests/<int:pk>/cancel/", requests.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/reopen/", requests.request_reopen, name="request_reopen"),
    path(
        "requests/<int:pk>/no-suitable-offer/", requests.request_no_offer, name="request_no_offer"
    ),
    path(
        "requests/<int:pk>/questions/<int:qpk>/answer/",
        requests.question_answer,
        name="question_answer",
    ),
    path("requests/<int:pk>/shortlist/", shortlist.shortlist, name="shortlist"),
    path(
        "requests/<int:pk>/shortlist/confirm/",
        shortlist.shortlist_confirm,
        name="shortlist_confirm",
    ),
    path(
        "requests/<int:pk>/bids/<int:bpk>/young-person-view/",
        shortlist.young_person_view,
        name="young_person_view",
    ),
    path("requests/<int:pk>/award/", shortlist.award, name="award"),
    path("placements/", placements.placement_list, name="placement_list"),
    path("placements/<int:pk>/", placements.placement_detail, name="placement_detail"),
    path("placements/<int:pk>/ipa.pdf", placements.placement_ipa, name="placement_ipa"),
    path("consortium/lots/", lots.lot_list, name="lot_list"),
    path("consortium/lots/<int:pk>/", lots.lot_edit, name="lot_edit"),
]
