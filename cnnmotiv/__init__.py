"""cnnmotiv: an interactive, tested companion to "Motivation for Convolutional Networks"."""

__version__ = "0.1.0"
