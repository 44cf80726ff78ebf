"""GitHub delivery (IF-001, IF-002, IF-007): secrets, flags, environments, branch protection, OIDC roles, files.

The package imports nothing by itself: the workflow and backup areas import `oidc` (environment names and
trust policies) while `delivery` imports them, so a package that loaded `delivery` would import in a circle.
"""
