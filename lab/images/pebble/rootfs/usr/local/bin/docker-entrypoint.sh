#!/bin/sh
# Pebble needs nothing at start-up; the entrypoint exists so every lab image starts the same way.
exec "$@"
