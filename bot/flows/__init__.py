"""Pure rules: the policy (``policy``), the decision tree (``tree``), what a forwarded post is
(``intake``), the three-strike rule (``strikes``), business-hour deadlines (``timing``), who may
do what (``permissions``) and what was typed after ``/antenne`` (``commands``).

Nothing in this package imports Slack or the database; everything takes plain data and the policy,
and time is passed in, so the rules are tested without either.
"""
