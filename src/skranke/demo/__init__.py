"""Synthetic demo and bulk data: export files the real importer reads (DESIGN §2 layout).

Everything here is synthetic and deterministic for a given seed and `today` (`random.Random`;
no clock is read: `today` is passed in). The package writes files in the inbox contract of
`skranke.sync.rows` and never touches the store, the clock or the UI: `skranke demo`
(`services.sync.import_demo_data`) imports the files through the real importer, so the demo
exercises the same path as a clinic's files.

- `files`: the file format, its columns taken from `skranke.sync.rows.COLUMNS`, and writing.
- `names`: synthetic people: names, aliases, clinicians, phone numbers, CPR numbers.
- `roles`: the parts the demo plays at a site (departments, preparations, pickup rules).
- `records`: the demo's rows as values.
- `scenario`: the demo's clinic morning (`build_demo`, `write_demo_exports`).
- `bulk`: any number of rows for benchmarks and load tests (`iter_bulk_rows`).
"""
