"""sijcare: the care pathway of a sacroiliac joint injection."""

__version__ = "0.1.0"
