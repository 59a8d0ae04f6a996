"""What the workers of one service share through Redis (``ASSISTANT_REDIS__URL``): delivery ids seen by the bots
and the index change channel; conversations and rate limits use it through their own adapters. Without Redis,
each process keeps its own, as on a single machine."""
