#!/usr/bin/env bash
# Azurite (the Azure Storage emulator) for local runs of the function app, from the repo's node_modules.
#   scripts/azurite.sh start [--persist]   start on 127.0.0.1 (blob/queue/table ports from AZURITE_BLOB_PORT,
#                                          AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT; default 10000-10002), wait until it listens
#   scripts/azurite.sh stop                stop the instance this script started
#   scripts/azurite.sh status              print whether it runs and the connection string
# In-memory by default (nothing survives a stop); --persist keeps data in .azurite/ (poison messages and blob
# receipts then survive restarts too). Installs Azurite (npm ci) on first use.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state="$root/.azurite"
pidfile="$state/azurite.pid"
blob="${AZURITE_BLOB_PORT:-10000}"
queue="${AZURITE_QUEUE_PORT:-10001}"
table="${AZURITE_TABLE_PORT:-10002}"
key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-status}" in
  start)
    if running; then echo "azurite: already running (pid $(cat "$pidfile"))" >&2; echo "$connection"; exit 0; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$blob") 2>/dev/null; then echo "azurite: port $blob is already in use by another process" >&2; exit 1; fi
    if [ ! -x "$root/node_modules/.bin/azurite" ]; then
      echo "azurite: installing (npm ci)" >&2
      (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
    mkdir -p "$state"
    persist=(--inMemoryPersistence)
    if [ "${2:-}" = "--persist" ]; then persist=(--location "$state/data"); fi
    # --skipApiVersionCheck: the v12 SDKs send a newer API version than Azurite 3.37 knows.
    "$root/node_modules/.bin/azurite" "${persist[@]}" --skipApiVersionCheck --silent \
      --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
      --tableHost 127.0.0.1 --tablePort "$table" >"$state/azurite.log" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 100); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$blob") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$queue") 2>/dev/null; then
        echo "azurite: listening (pid $(cat "$pidfile")); AzureWebJobsStorage=" >&2
        echo "$connection"
        exit 0
      fi
      if ! running; then echo "azurite: exited; see $state/azurite.log" >&2; exit 1; fi
      sleep 0.1
    done
    echo "azurite: did not listen within 10 s; see $state/azurite.log" >&2
    exit 1
    ;;
  stop)
    if running; then
      pid="$(cat "$pidfile")"
      kill "$pid" 2>/dev/null || true
      # Azurite waits for open keep-alive connections on SIGTERM; give it 3 s, then SIGKILL.
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile"; echo "azurite: stopped"
    else
      echo "azurite: not running"; rm -f "$pidfile"
    fi
    ;;
  status)
    if running; then echo "azurite: running (pid $(cat "$pidfile"))"; echo "$connection"; else echo "azurite: not running"; exit 1; fi
    ;;
  *)
    echo "usage: scripts/azurite.sh start [--persist] | stop | status" >&2
    exit 2
    ;;
esac
