"""Search stores: where passages are kept and searched (see ``store.base`` for the contract)."""
