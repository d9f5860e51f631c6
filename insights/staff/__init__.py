"""The administrators' view of the projections: the good versus not-good chart on a child's page."""
