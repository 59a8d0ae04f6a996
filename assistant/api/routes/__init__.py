"""HTTP routes, one module per area; each only translates HTTP to a core call."""
