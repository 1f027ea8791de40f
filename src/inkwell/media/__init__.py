"""Media: image uploads, their processing into clean originals and variants, and storage."""
