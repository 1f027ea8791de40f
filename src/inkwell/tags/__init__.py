"""Tags: the public list of tags and the posts counted under each."""
