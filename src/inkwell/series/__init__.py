"""Series: ordered collections of one owner's posts."""
