"""``python -m cnnmotiv``: see :mod:`cnnmotiv.cli`."""

from cnnmotiv.cli import main

raise SystemExit(main())
