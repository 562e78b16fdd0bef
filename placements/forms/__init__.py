"""The placements app's page forms, one module per part: requests (the borough's), bids (the
provider's side), lots (the consortium admin's settings)."""
