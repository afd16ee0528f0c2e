"""What the catalog app shows on the layers below it."""
