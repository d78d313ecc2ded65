"""Pure rules: the decision tree, intake parsing and (later) strikes and timing.

Nothing in this package imports Slack or the database; everything takes plain data and the policy,
and time is passed in, so the rules are tested without either.
"""
