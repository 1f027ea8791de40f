"""Posts: authoring, publishing, revisions, tags and search."""
