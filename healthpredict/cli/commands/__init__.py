"""The command groups: each module builds its commands' parsers and holds their handlers."""
