"""The ONS Postcode Directory, as the product keeps it: every UK postcode's grid reference and
local authority, the centre of each postcode district and of each local authority, loaded once
by `manage.py load_postcodes` so that no process holds the directory in memory."""

from django.db import models


class LocalAuthority(models.Model):
    """A local authority district (lower tier) or a council with children's services duties
    (upper tier: a county, a unitary, a metropolitan or London borough). A unitary is its own
    upper tier. Scotland, Wales, Northern Ireland, the Channel Islands and the Isle of Man are
    recorded as one area each: a placement there is outside any English council's boundary."""

    code = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=100)
    upper_tier = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="districts", db_constraint=False
    )
    # The centre of its live postcodes' grid references (metres, OS National Grid).
    easting = models.IntegerField(null=True)
    northing = models.IntegerField(null=True)
    postcodes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return self.name

    @property
    def grid(self) -> tuple[int, int] | None:
        return (
            None if self.easting is None or self.northing is None else (self.easting, self.northing)
        )


class Postcode(models.Model):
    """One postcode of the directory, live or terminated."""

    # Without spaces, upper case: "SE17PB".
    code = models.CharField(max_length=7, primary_key=True)
    # Null when the directory gives no grid reference.
    easting = models.IntegerField(null=True)
    northing = models.IntegerField(null=True)
    # The local authority district (lower tier); blank when the directory gives none.
    lad = models.CharField(max_length=9, blank=True)
    # When the Royal Mail stopped using it (the ONSPD's doterm, as year and month); null when
    # live or when the data loaded does not say.
    terminated = models.DateField(null=True)

    def __str__(self):
        return self.code


class District(models.Model):
    """A postcode district (outward code) and the centre of its live postcodes: where a child's
    home is taken to be when only its district is recorded."""

    code = models.CharField(max_length=4, primary_key=True)
    easting = models.IntegerField()
    northing = models.IntegerField()
    postcodes = models.PositiveIntegerField()
    # The upper-tier council most of its postcodes are in.
    upper_tier = models.CharField(max_length=9, blank=True)

    def __str__(self):
        return self.code


class Dataset(models.Model):
    """Which release of the directory is loaded, so loading again is a no-op."""

    name = models.CharField(max_length=40, unique=True)
    version = models.CharField(max_length=40)
    rows = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} {self.version}"
