"""Tools for data editors: record a new source with a facts skeleton (`new_source`), find the IRI to use for a
name (`lookup`). They write only into `data/` and read the published release; they never publish."""
