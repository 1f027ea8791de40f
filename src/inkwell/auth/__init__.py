"""Authentication: logins, access tokens, refresh-token rotation and sessions."""
