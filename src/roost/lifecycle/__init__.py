"""An account's life cycle in its owner's hands: deleting it, exporting its data, and
importing follows, blocks and mutes from Mastodon's CSV files."""
