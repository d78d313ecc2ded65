"""The benchmark of Slack's 3-second acknowledgement budget: ``python -m bench`` (see README.md)."""
