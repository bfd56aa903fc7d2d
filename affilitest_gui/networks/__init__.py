"""Network platforms (Affise, Everflow, TUNE/HasOffers): one connector protocol, one
module per platform. Qt-free: the command line's sync and the app's use the same."""
