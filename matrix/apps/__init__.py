"""One small app per framework, each in its own module so that a framework is imported only
when its row runs. Every module defines ``app`` and ``TARGETS``: the routes the app really has
(what a user would declare), which the runner merges with what asgicheck's discovery finds.

The routes are the same everywhere, written the way each framework's documentation writes them:

* ``GET /``: plain text;
* ``GET /items/{item_id}``: JSON with an int path parameter;
* ``DELETE /items/{item_id}``: 204 No Content;
* ``POST /echo``: the request body sent back;
* ``GET /stream``: a streamed response in three chunks;
* ``WS /ws``: echo of text and binary messages (where the framework has websockets);
* HEAD comes from GET (the framework's own handling), lifespan where the framework has it.
"""
