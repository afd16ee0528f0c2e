"""What the aid app shows on the layers below it."""
