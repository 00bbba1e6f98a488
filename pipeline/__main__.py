"""``python -m pipeline``: the same CLI as the ``healthpredict`` console script."""

from pipeline.cli import main

raise SystemExit(main())
