#!/bin/sh
# Like the official image: flags alone are passed to redis-server.
case "${1:-}" in
  -*) exec redis-server "$@" ;;
esac
exec "$@"
