"""``python -m healthpredict``: the same CLI as the ``healthpredict`` console script."""

from healthpredict.cli import main

raise SystemExit(main())
