"""Mail leaves only through the outbox: services enqueue rows, the worker sends them."""
