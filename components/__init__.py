"""Component resources of the platform, one module per area; `settings` holds their typed inputs."""
