"""What the training app shows on the layers below it."""
