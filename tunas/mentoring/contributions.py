"""What the mentoring app shows on the layers below it."""
