"""Administration: users and förvaltningar, above the domains that refer to them."""
