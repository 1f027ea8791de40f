"""The personal feed: posts of the authors one follows."""
