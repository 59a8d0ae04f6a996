"""What the workers of one service share through Redis (``ASSISTANT_REDIS__URL``): the connection and its errors
(``redis_connection``) and the index change channel (``changes``). Conversations, rate limits and bot deliveries
use Redis through their own adapters. Without Redis, each process keeps its own, as on a single machine."""
