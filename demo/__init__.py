"""Demo data: seed_demo and the bulk history, through the domain's services and bulk paths."""
