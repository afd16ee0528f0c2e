"""Models of the aid app."""
