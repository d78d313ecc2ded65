"""Storage: SQLModel rows, the engine, queries and Alembic migrations. Nothing here commits on its own."""
