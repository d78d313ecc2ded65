"""What the bot sends on its own initiative or after a listener: case messages (posted once,
redrawn as the case changes, kept in the outbox while Slack cannot take them), antenna messages,
and the scheduler's due jobs. No listener lives here; listeners and the scheduler both use it."""
