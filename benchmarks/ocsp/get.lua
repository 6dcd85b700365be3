-- wrk script: GETs OCSP requests in the URL (RFC 6960 A.1), round-robin.
--   wrk ... -s get.lua URL -- PATHFILE
-- PATHFILE holds one request path per line (base URL path + percent-encoded base64 DER request).
local requests = {}
local i = 0
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

function init(args)
  for path in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("GET", path)
  end
  i = math.floor((id or 0) * #requests / 2) % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d sockerr=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, summary.requests))
end
