"""Use cases: one database transaction each, plain values in, frozen snapshots out."""
