"""Who follows whom: follow, unfollow, followers and following lists."""
