-- wrk script of the HTTP section of `python -m jaif_kg.bench.run` (jaif_kg/bench/load.py runs it).
-- Arguments after wrk's `--`:
--   1. the Accept header to send ("" for none)
--   2. the request path (query string included, already percent-encoded)
--   3. optional: a count N of synthetic projects; the path then holds the marker __N__, replaced
--      by a 7-digit project number 0..N-1 that changes with every request (the varied-IRI lookup).
-- Every request is formatted once in init(); request() only picks the next one, so wrk spends no
-- more time per request on a varied path than on a fixed one. Each thread starts at its own
-- offset in the project list, so that the two threads do not ask for the same IRI in step.
-- When the run is done it prints, after wrk's own report, the lines that
-- jaif_kg.bench.soak.parse_wrk reads (the soak's format, so that one parser reads both):
--   soak-status <status> <count>          one per status seen
--   soak-summary <requests> <duration_us> <connect> <read> <write> <timeout> <non_2xx_3xx>
--   soak-latency <p50_us> <p99_us> <max_us>
-- (wrk API: https://github.com/wg/wrk/blob/master/SCRIPTING). Each wrk thread runs its own Lua
-- state: the counts live in a global that done() reads from every thread.

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  local accept, path, count = args[1] or "", args[2], tonumber(args[3] or "0") or 0
  local headers = {}
  if accept ~= "" then
    headers["Accept"] = accept
  end
  prepared = {}
  if count > 0 then
    for i = 0, count - 1 do
      local one = string.gsub(path, "__N__", string.format("%07d", i))
      table.insert(prepared, wrk.format("GET", one, headers))
    end
  else
    prepared[1] = wrk.format("GET", path, headers)
  end
  -- thread_index is set by setup() before init() runs in the thread
  position = ((thread_index or 0) * math.floor(#prepared / 2)) % #prepared
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("soak-status %d %d\n", status, count))
  end
  local e = summary.errors
  io.write(string.format("soak-summary %d %d %d %d %d %d %d\n", summary.requests,
    summary.duration, e.connect, e.read, e.write, e.timeout, e.status))
  io.write(string.format("soak-latency %d %d %d\n", latency:percentile(50),
    latency:percentile(99), latency.max))
end
