"""Core: settings, translations, Slack mrkdwn, log safety and work in hand; imported by every layer, imports none of ours."""
