"""The store: schema, engine, migrations and the queries the screens need."""
