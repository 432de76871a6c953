"""counter pages."""
