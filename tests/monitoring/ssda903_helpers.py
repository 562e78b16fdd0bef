"""Building SSDA903 files and running a return through the pipeline in tests."""

from datetime import UTC, datetime

from monitoring.services.ssda903 import (
    ssda903_return_create,
    ssda903_return_import,
    ssda903_return_store,
    ssda903_return_validate,
)
from placements.models import Placement

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
)
# The day the tests run: in the return year ending 31 March 2026, after the 2025 return.
TODAY = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)


def hd(child, sex="1", dob="01/01/2012", ethnic="WBRI", upn="UN1", mother="", mc_dob=""):
    return f"{child},{sex},{dob},{ethnic},{upn},{mother},{mc_dob}\n"


def ep(
    child,
    decom,
    rne="S",
    ls="C2",
    place="K2",
    dec="",
    rec="",
    reason="",
    urn="",
    cin="N1",
    provider="PR4",
    home="BR1 3AA",
    pl="SE5 8AA",
):
    return (
        f"{child},{decom},{rne},{ls},{cin},{place},{provider},{dec},{rec},{reason},{home},{pl},"
        f"{urn}\n"
    )


def validate(borough, header, episodes, *, year_ending=2025):
    as_bytes = [f.encode() if isinstance(f, str) else f for f in (header, episodes)]
    ssda903_return = ssda903_return_create(
        actor=None,
        borough=borough,
        year_ending=year_ending,
        header=as_bytes[0],
        episodes=as_bytes[1],
        label="test",
        queue=False,
    )
    return ssda903_return_validate(ssda903_return)


def run(borough, header, episodes, *, year_ending=2025):
    """Upload, validate and import the valid children; the return (its report)."""
    ssda903_return = validate(borough, header, episodes, year_ending=year_ending)
    if ssda903_return.status == ssda903_return.Status.VALIDATED:
        ssda903_return_import(actor=None, ssda903_return=ssda903_return, queue=False)
        ssda903_return_store(ssda903_return)
    return ssda903_return


def placements(child_reference, **filters):
    return list(
        Placement.objects.filter(
            child_reference=child_reference, source="ssda903", **filters
        ).order_by("start_date", "pk")
    )


def issues(ssda903_return):
    return [
        (i.file, i.line, i.child, i.code)
        for i in ssda903_return.issues.order_by("file", "line", "code")
    ]
