#!/bin/sh
# Serves /www on port 8000 (GET /todos/ lists the todos, GET /version the build's version).
# `docker run --network host IMAGE` then `wget -qO- http://127.0.0.1:8000/todos/`.
set -e
echo "todobackend $(cat /www/version) listening on :${PORT:-8000}"
exec httpd -f -v -p "${PORT:-8000}" -h /www
