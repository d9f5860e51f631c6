"""Accounts: register, token, me, the sign-in lockout answer, the User admin."""
