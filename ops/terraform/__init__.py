"""Pulumi plans as Terraform plan JSON, for scanners built for Terraform (Checkov)."""
