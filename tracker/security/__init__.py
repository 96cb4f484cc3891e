"""The security log: who logged in or failed to, and every change to who may do what. App-wide, not per plan."""
