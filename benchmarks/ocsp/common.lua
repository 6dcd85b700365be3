-- Shared by post.lua and get.lua: round-robin over `requests` (filled by the script's init) and one
-- machine-readable result line.
requests = {}
i = 0
local threads = 0

-- wrk normally probes the address with a connection it closes unused; `openssl ocsp` (3.0) then spins
-- forever reading EOF and stops answering. Resolving without the probe is harmless for the other servers.
function wrk.resolve(host, service)
  wrk.addrs = wrk.lookup(host, service)
end

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

-- Threads start half a round apart, so they do not ask for the same certificate in lockstep.
function start_round()
  i = math.floor((id or 0) * #requests / 2) % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end

-- One machine-readable line, which run.sh turns into the summary line. errors.status is wrk's count
-- of responses with status >= 400 (none of the servers sends 1xx or 3xx).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d sockerr=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, summary.requests))
end
