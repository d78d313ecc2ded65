"""Slack plumbing that is not a listener: ids, refs in payloads, the request gate, channel members, Socket Mode."""
