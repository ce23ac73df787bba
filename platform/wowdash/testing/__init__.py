"""A test kit for plugin authors: a fake Bot API, center factories, a conversation driver."""
